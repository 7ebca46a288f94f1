/* Stack backtraces of the kernel. */
#ifndef JOS_KERN_BACKTRACE_H
#define JOS_KERN_BACKTRACE_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

struct Trapframe;

// Print the call frames from the one at ebp outward.
void	backtrace_from(uint32_t ebp);
// Print where a trap in the kernel came from: its eip, then its callers.
void	backtrace(struct Trapframe *tf);

#endif
