/* The C start of every user program: set up the library, run umain. */
#include <inc/lib.h>

// Each env's own, even under sfork: alone in the private page.
const volatile struct Env *thisenv __attribute__((section(".bss.private")));
const char *binaryname = "<unknown>";

void libmain(int argc, char **argv);

// Called from lib/entry.S.
void
libmain(int argc, char **argv)
{
	syscall_entry_init();
	thisenv = &envs[ENVX(sys_getenvid())];
	if (argc > 0)
		binaryname = argv[0];
	umain(argc, argv);
	exit();
}
