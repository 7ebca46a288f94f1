/* The kernel monitor: an interactive command line for debugging. */
#ifndef JOS_KERN_MONITOR_H
#define JOS_KERN_MONITOR_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

struct Trapframe;

// Run the monitor.  tf is the trap that brought us here, or NULL.
// continue and stepi leave it by resuming the env; it returns only when
// a command returns a negative value.
void	monitor(struct Trapframe *tf);

#endif
