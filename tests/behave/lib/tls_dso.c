/* libtls_dso.so: __thread variables in a shared library linked at start-up,
 * used by tls_shared_library. Accessed both from inside the library (global-
 * and local-dynamic models, __tls_get_addr) and directly from the executable. */
__thread int dso_int = 7;
__thread char dso_str[32] = "dso-initial";
__thread long dso_zero;
static __thread int dso_static = 11;
static __thread int dso_ie __attribute__((tls_model("initial-exec"))) = 99;

int *dso_int_addr(void) { return &dso_int; }
char *dso_str_addr(void) { return dso_str; }
long *dso_zero_addr(void) { return &dso_zero; }
int *dso_static_addr(void) { return &dso_static; }
int *dso_ie_addr(void) { return &dso_ie; }
int dso_get_int(void) { return dso_int; }
void dso_set_int(int v) { dso_int = v; }
