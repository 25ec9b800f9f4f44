int magic(void);
