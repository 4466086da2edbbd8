/* libtls_initial_exec.so: initial-exec TLS (the library is marked STATIC_TLS),
 * loaded with dlopen by tls_dlopen_initial_exec while threads already exist. */
__thread int ie_int __attribute__((tls_model("initial-exec"))) = 777;
__thread char ie_str[8] __attribute__((tls_model("initial-exec"))) = "static";

int ie_get(void) { return ie_int; }
const char *ie_str_get(void) { return ie_str; }
void ie_set(int v) { ie_int = v; }
