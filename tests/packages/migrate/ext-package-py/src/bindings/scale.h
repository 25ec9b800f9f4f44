long extpy_scale(long x, long factor);
