int greet_answer(void);
const char *greet_name(void);
