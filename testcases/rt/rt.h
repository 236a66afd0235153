/* Declarations of the guest runtime (the rt directory) for the C test programs. */
#ifndef RT_H
#define RT_H
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed int i32;
typedef signed long long i64;
typedef unsigned int size_t;

#define STDCALL __attribute__((stdcall))
void STDCALL rt_putc(int c);
void STDCALL rt_puts(const char *s);
void STDCALL rt_puthex(u32 v);
void STDCALL rt_putdec(u32 v);
void STDCALL rt_exit(int status) __attribute__((noreturn));
void STDCALL rt_begin(const char *name);
void STDCALL rt_mix(u32 v);
void STDCALL rt_check(u32 actual, u32 expected);
void STDCALL rt_end(void);
int STDCALL rt_result(void);

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#endif
