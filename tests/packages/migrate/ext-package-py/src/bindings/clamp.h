int extpy_clamp(int x, int lo, int hi);
