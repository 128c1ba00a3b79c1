/*
 * Linux GPIO character device (uAPI v2) for @tsbms/hal-linux: request output lines and set one,
 * request input lines and read one, release. Synchronous on purpose: DigitalOutput.set must switch
 * a relay within the caller's tick (bms-behaviour.md B-13), DigitalInput.read answers within the
 * poll that compares feedback with command (B-14), and each is one ioctl of microseconds.
 *
 * Errors are thrown as JS Errors carrying `errno` (positive number) and `syscall`; the TypeScript
 * side (src/gpio-output.ts, src/gpio-input.ts) turns them into a GpioError with the chip path and
 * line offsets.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "napi-helpers.h"

/*
 * The arguments both requests share: (chipPath, offsets, consumer, activeLow, ...). Fills
 * `chip_path` and the request's offsets, line count and consumer; returns false after throwing.
 */
static bool parse_line_request(napi_env env, napi_value *argv, char *chip_path, size_t chip_path_size,
                               struct gpio_v2_line_request *request, bool *active_low) {
  size_t chip_path_length;
  if (napi_get_value_string_utf8(env, argv[0], chip_path, chip_path_size, &chip_path_length) != napi_ok ||
      chip_path_length == 0 || chip_path_length >= chip_path_size - 1) {
    throw_type(env, "chipPath must be a non-empty string");
    return false;
  }

  memset(request, 0, sizeof *request);
  uint32_t line_count;
  bool is_array;
  if (napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array) {
    throw_type(env, "offsets must be an array");
    return false;
  }
  if (napi_get_array_length(env, argv[1], &line_count) != napi_ok || line_count == 0 ||
      line_count > GPIO_V2_LINES_MAX) {
    throw_type(env, "offsets: 1 to 64 lines");
    return false;
  }
  for (uint32_t i = 0; i < line_count; i++) {
    napi_value element;
    if (napi_get_element(env, argv[1], i, &element) != napi_ok ||
        napi_get_value_uint32(env, element, &request->offsets[i]) != napi_ok) {
      throw_type(env, "offsets must be numbers");
      return false;
    }
  }
  request->num_lines = line_count;

  size_t consumer_length;
  if (napi_get_value_string_utf8(env, argv[2], request->consumer, sizeof request->consumer, &consumer_length) !=
      napi_ok) {
    throw_type(env, "consumer must be a string");
    return false;
  }

  if (napi_get_value_bool(env, argv[3], active_low) != napi_ok) {
    throw_type(env, "activeLow must be a boolean");
    return false;
  }
  return true;
}

/* Claims the lines of `request` on the chip; returns the request's fd as a JS number. */
static napi_value claim_lines(napi_env env, const char *chip_path, struct gpio_v2_line_request *request) {
  int chip_fd = open(chip_path, O_RDWR | O_CLOEXEC);
  if (chip_fd < 0) return throw_errno(env, errno, "open");
  int result = ioctl(chip_fd, GPIO_V2_GET_LINE_IOCTL, request);
  int request_errno = errno;
  /* The line request has its own fd; the chip fd is not needed to use the lines. */
  close(chip_fd);
  if (result < 0) return throw_errno(env, request_errno, "ioctl GPIO_V2_GET_LINE_IOCTL");

  napi_value fd;
  CALL(env, napi_create_int32(env, request->fd, &fd));
  return fd;
}

/* requestOutputLines(chipPath: string, offsets: number[], consumer: string, activeLow: boolean): fd */
static napi_value request_output_lines(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 4) return throw_type(env, "requestOutputLines(chipPath, offsets, consumer, activeLow)");

  char chip_path[4096];
  struct gpio_v2_line_request request;
  bool active_low;
  if (!parse_line_request(env, argv, chip_path, sizeof chip_path, &request, &active_low)) return NULL;

  request.config.flags = GPIO_V2_LINE_FLAG_OUTPUT | (active_low ? GPIO_V2_LINE_FLAG_ACTIVE_LOW : 0);
  /* Every line starts inactive (de-energised = safe), set by the same ioctl that claims it. */
  request.config.num_attrs = 1;
  request.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
  request.config.attrs[0].attr.values = 0;
  request.config.attrs[0].mask =
      request.num_lines == 64 ? UINT64_MAX : ((UINT64_C(1) << request.num_lines) - 1);
  return claim_lines(env, chip_path, &request);
}

/*
 * requestInputLines(chipPath, offsets, consumer, activeLow, bias: 'as-is' | 'pull-up' |
 * 'pull-down' | 'disabled'): fd. 'as-is' sets no bias flag: the line keeps what the firmware or
 * device tree gave it. A bias the chip cannot set fails the request (EINVAL, or ENOTSUPP).
 */
static napi_value request_input_lines(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 5) return throw_type(env, "requestInputLines(chipPath, offsets, consumer, activeLow, bias)");

  char chip_path[4096];
  struct gpio_v2_line_request request;
  bool active_low;
  if (!parse_line_request(env, argv, chip_path, sizeof chip_path, &request, &active_low)) return NULL;

  char bias[16];
  size_t bias_length;
  if (napi_get_value_string_utf8(env, argv[4], bias, sizeof bias, &bias_length) != napi_ok) {
    return throw_type(env, "bias must be a string");
  }
  uint64_t bias_flag;
  if (strcmp(bias, "as-is") == 0) {
    bias_flag = 0;
  } else if (strcmp(bias, "pull-up") == 0) {
    bias_flag = GPIO_V2_LINE_FLAG_BIAS_PULL_UP;
  } else if (strcmp(bias, "pull-down") == 0) {
    bias_flag = GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN;
  } else if (strcmp(bias, "disabled") == 0) {
    bias_flag = GPIO_V2_LINE_FLAG_BIAS_DISABLED;
  } else {
    return throw_type(env, "bias must be 'as-is', 'pull-up', 'pull-down' or 'disabled'");
  }
  request.config.flags = GPIO_V2_LINE_FLAG_INPUT | (active_low ? GPIO_V2_LINE_FLAG_ACTIVE_LOW : 0) | bias_flag;
  return claim_lines(env, chip_path, &request);
}

/* getLineValue(fd: number, index: number): boolean, active or not; index = position in the request. */
static napi_value get_line_value(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  uint32_t index;
  if (argc != 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &index) != napi_ok || index >= GPIO_V2_LINES_MAX) {
    return throw_type(env, "getLineValue(fd, index 0..63)");
  }
  struct gpio_v2_line_values values;
  memset(&values, 0, sizeof values);
  values.mask = UINT64_C(1) << index;
  if (ioctl(fd, GPIO_V2_LINE_GET_VALUES_IOCTL, &values) < 0) {
    return throw_errno(env, errno, "ioctl GPIO_V2_LINE_GET_VALUES_IOCTL");
  }
  napi_value active;
  CALL(env, napi_get_boolean(env, (values.bits & values.mask) != 0, &active));
  return active;
}

/* setLineValue(fd: number, index: number, active: boolean): void; index = position in the request. */
static napi_value set_line_value(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  uint32_t index;
  bool active;
  if (argc != 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &index) != napi_ok || napi_get_value_bool(env, argv[2], &active) != napi_ok ||
      index >= GPIO_V2_LINES_MAX) {
    return throw_type(env, "setLineValue(fd, index 0..63, active)");
  }
  struct gpio_v2_line_values values;
  memset(&values, 0, sizeof values);
  values.mask = UINT64_C(1) << index;
  values.bits = active ? values.mask : 0;
  if (ioctl(fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &values) < 0) {
    return throw_errno(env, errno, "ioctl GPIO_V2_LINE_SET_VALUES_IOCTL");
  }
  return NULL;
}

/* releaseLines(fd: number): void. The kernel frees the lines when the request fd is closed. */
static napi_value release_lines(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return throw_type(env, "releaseLines(fd)");
  if (close(fd) < 0) return throw_errno(env, errno, "close");
  return NULL;
}


static napi_status set_function(napi_env env, napi_value object, const char *name, napi_callback callback) {
  napi_value function;
  napi_status status = napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, NULL, &function);
  return status == napi_ok ? napi_set_named_property(env, object, name, function) : status;
}

static napi_value init(napi_env env, napi_value exports) {
  CALL(env, set_function(env, exports, "requestOutputLines", request_output_lines));
  CALL(env, set_function(env, exports, "setLineValue", set_line_value));
  CALL(env, set_function(env, exports, "requestInputLines", request_input_lines));
  CALL(env, set_function(env, exports, "getLineValue", get_line_value));
  CALL(env, set_function(env, exports, "releaseLines", release_lines));
  /* What this build was compiled against, so a test can check it against <linux/gpio.h>. */
  napi_value abi;
  CALL(env, napi_create_object(env, &abi));
  CALL(env, set_number(env, abi, "getLineIoctl", (double)GPIO_V2_GET_LINE_IOCTL));
  CALL(env, set_number(env, abi, "setValuesIoctl", (double)GPIO_V2_LINE_SET_VALUES_IOCTL));
  CALL(env, set_number(env, abi, "getValuesIoctl", (double)GPIO_V2_LINE_GET_VALUES_IOCTL));
  CALL(env, set_number(env, abi, "lineRequestSize", (double)sizeof(struct gpio_v2_line_request)));
  CALL(env, set_number(env, abi, "lineValuesSize", (double)sizeof(struct gpio_v2_line_values)));
  CALL(env, set_number(env, abi, "linesMax", (double)GPIO_V2_LINES_MAX));
  CALL(env, napi_set_named_property(env, exports, "abi", abi));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
