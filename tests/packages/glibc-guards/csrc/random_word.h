unsigned int random_word(void);
const char *which_random(void);
