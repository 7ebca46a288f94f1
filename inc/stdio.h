/* Console and formatted output, the same names in kernel and user space. */
#ifndef JOS_INC_STDIO_H
#define JOS_INC_STDIO_H

#include <inc/stdarg.h>

#ifndef NULL
#define NULL	((void *) 0)
#endif

// lib/console.c (user) and kern/console.c (kernel)
void	cputchar(int c);
int	getchar(void);
int	iscons(int fd);

// lib/printfmt.c
void	printfmt(void (*putch)(int, void*), void *putdat, const char *fmt, ...);
void	vprintfmt(void (*putch)(int, void*), void *putdat, const char *fmt, va_list);
int	snprintf(char *str, int size, const char *fmt, ...);
int	vsnprintf(char *str, int size, const char *fmt, va_list);

// cprintf in lib/printfmt.c; vcprintf in lib/printf.c (user) and
// kern/printf.c (kernel)
int	cprintf(const char *fmt, ...);
int	vcprintf(const char *fmt, va_list);

// lib/readline.c
char*	readline(const char *prompt);

#endif
