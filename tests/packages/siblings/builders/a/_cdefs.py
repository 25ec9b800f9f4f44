CDEF = "int which(void);"
VALUE = 1
