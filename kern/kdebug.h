/* Source-level information about kernel code addresses, for backtraces. */
#ifndef JOS_KERN_KDEBUG_H
#define JOS_KERN_KDEBUG_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

// What is known about one instruction address.
struct Eipdebuginfo {
	const char *eip_file;		// source file, "<unknown>" if not known
	int eip_line;			// source line, 0 if not known
	const char *eip_fn_name;	// enclosing function's name,
	int eip_fn_namelen;		//   its length (for %.*s)
	uintptr_t eip_fn_addr;		// its first instruction
	int eip_fn_narg;		// its argument count (not recorded: 0)
};

// Fill info for eip.  Returns 0 if eip lies in a known kernel function,
// negative otherwise (info then holds the "unknown" values).
int	debuginfo_eip(uintptr_t eip, struct Eipdebuginfo *info);

#endif
