/* One TLS module; tls_dlopen_many_modules loads copies of it under many names. */
__thread int module_value = 7;

int *module_value_addr(void)
{
	return &module_value;
}
