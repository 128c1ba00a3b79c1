{
  "targets": [
    {
      "target_name": "tsbms_gpio",
      "sources": ["native/gpio.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-std=c11"],
      "defines": ["_DEFAULT_SOURCE", "NAPI_VERSION=8"]
    },
    {
      "target_name": "tsbms_serial",
      "sources": ["native/serial.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-std=c11"],
      "defines": ["_DEFAULT_SOURCE", "NAPI_VERSION=8"]
    }
  ]
}
