const char *implementation(void) { return "portable"; }
