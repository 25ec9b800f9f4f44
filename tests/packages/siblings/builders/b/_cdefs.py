CDEF = "int which(void);"
VALUE = 2
