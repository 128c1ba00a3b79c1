/*
 * The serial port's own error counters for @tsbms/hal-linux: the kernel's TIOCGICOUNT, which the
 * UART drivers fill in (8250, ftdi_sio, cp210x, ch341, pl2303: frame, overrun, parity, break).
 * Node's serialport cannot read them. A device without counters (a pseudo-terminal) fails with
 * EINVAL, a file that is not a terminal with ENOTTY; src/serial-line-errors.ts turns those into
 * "not reported".
 */
#include <errno.h>
#include <linux/serial.h>
#include <node_api.h>
#include <sys/ioctl.h>

#include "napi-helpers.h"

/* readLineErrorCounts(fd) -> { frame, overrun, parity, brk, bufOverrun }, counted since the driver loaded. */
static napi_value read_line_error_counts(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0)
    return throw_type(env, "fd must be a file descriptor");
  struct serial_icounter_struct counts;
  memset(&counts, 0, sizeof counts);
  if (ioctl(fd, TIOCGICOUNT, &counts) < 0) return throw_errno(env, errno, "ioctl TIOCGICOUNT");
  napi_value result;
  CALL(env, napi_create_object(env, &result));
  CALL(env, set_number(env, result, "frame", counts.frame));
  CALL(env, set_number(env, result, "overrun", counts.overrun));
  CALL(env, set_number(env, result, "parity", counts.parity));
  CALL(env, set_number(env, result, "brk", counts.brk));
  CALL(env, set_number(env, result, "bufOverrun", counts.buf_overrun));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value function;
  CALL(env, napi_create_function(env, "readLineErrorCounts", NAPI_AUTO_LENGTH, read_line_error_counts, NULL,
                                 &function));
  CALL(env, napi_set_named_property(env, exports, "readLineErrorCounts", function));
  napi_value abi;
  CALL(env, napi_create_object(env, &abi));
  CALL(env, set_number(env, abi, "icountIoctl", (double)TIOCGICOUNT));
  CALL(env, set_number(env, abi, "icountSize", (double)sizeof(struct serial_icounter_struct)));
  CALL(env, napi_set_named_property(env, exports, "abi", abi));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
