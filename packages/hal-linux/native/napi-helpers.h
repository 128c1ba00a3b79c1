/*
 * What both native addons of @tsbms/hal-linux share (gpio.c, serial.c): a N-API call that
 * returns on failure, errors thrown as Node's system errors (.errno positive, .syscall), numbers
 * set on an object. Static: each addon is its own shared object.
 */
#ifndef TSBMS_NAPI_HELPERS_H
#define TSBMS_NAPI_HELPERS_H

#include <node_api.h>
#include <stdio.h>
#include <string.h>

#define CALL(env, call)                                                                          \
  do {                                                                                           \
    if ((call) != napi_ok) return NULL;                                                          \
  } while (0)

/* Throws Error(message) with .errno and .syscall, like Node's own system errors. */
static inline napi_value throw_errno(napi_env env, int error_number, const char *syscall) {
  char message[160];
  snprintf(message, sizeof message, "%s failed: %s", syscall, strerror(error_number));
  napi_value text, error, errno_value, syscall_value;
  CALL(env, napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text));
  CALL(env, napi_create_error(env, NULL, text, &error));
  CALL(env, napi_create_int32(env, error_number, &errno_value));
  CALL(env, napi_set_named_property(env, error, "errno", errno_value));
  CALL(env, napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value));
  CALL(env, napi_set_named_property(env, error, "syscall", syscall_value));
  napi_throw(env, error);
  return NULL;
}

static inline napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static inline napi_status set_number(napi_env env, napi_value object, const char *name, double number) {
  napi_value value;
  napi_status status = napi_create_double(env, number, &value);
  return status == napi_ok ? napi_set_named_property(env, object, name, value) : status;
}

#endif
