/* Every kind of declaration a cdef can make: tests/test_stubs.py renders its stub. */
#define X 42
#define Y ...
#define HEX 0x10

typedef int myint;
typedef int... opaque_int_t;
typedef float... opaque_float_t;
typedef ... opaque_t;
typedef ... *opaque_handle;

struct point { int x, y; };
typedef struct { double re, im; } pair_t;
union number { int i; double d; };
struct partial { int a; ...; };
enum color { RED, GREEN = 4, BLUE };
typedef enum { SMALL = -1, LARGE = 1 } size_kind;
enum { ANON_A, ANON_B = 7 };

typedef int (*binop_t)(int, int);
typedef void callback_t(void *);

static const int Z;
static const int W = 7;
static const double PI;
static char *const NAME;
extern int counter;
extern const int limit;
extern int arr[4];
extern const unsigned char table[];
extern struct point origin;
extern binop_t current_op;
extern char grade;

int add(int a, int b);
long lmix(short s, unsigned short us, long l, unsigned long ul, long long ll,
          unsigned long long ull, signed char sc, unsigned char uc);
size_t fixed(int8_t a, uint16_t b, int32_t c, uint64_t d, size_t e, ssize_t f,
             ptrdiff_t g, intptr_t h, uintptr_t i, myint j);
_Bool is_even(_Bool flag, bool other);
float scale(float f, double d);
long double precise(long double x);
double _Complex rotate(float _Complex z);
char next_char(char c);
wchar_t widen(wchar_t c, const wchar_t *text);
size_t length(const char *text);
void fill(char *buffer, size_t size);
char *dup_string(const char *text);
void *raw(void *p, const unsigned char *bytes, uint8_t *u8);
struct point *new_point(int x, int y);
struct point mirror(struct point p);
double norm(const struct point *p);
pair_t make_pair(double re, double im);
union number as_number(union number n, union number *out);
enum color next_color(enum color c, size_kind k);
int apply(binop_t op, int a, int b);
void on_event(callback_t *cb, void *userdata);
void with_fnptr(int (*cmp)(const void *, const void *));
int (*pick_op(int which))(int, int);
int log_message(const char *fmt, ...);
void reset(void);
int sum_array(int values[], int n);
opaque_int_t opaque_ints(opaque_int_t v);
opaque_float_t opaque_floats(opaque_float_t v);
opaque_handle open_handle(opaque_t *where);

extern "Python" int py_callback(int);
