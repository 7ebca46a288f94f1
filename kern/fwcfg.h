/* QEMU's firmware configuration device: named files set on its command line. */
#ifndef JOS_KERN_FWCFG_H
#define JOS_KERN_FWCFG_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

// Copy the fw_cfg file `name` (e.g. "opt/jos/test", set with QEMU's
// -fw_cfg name=opt/jos/test,string=...) into buf as a C string.
// Returns its length, or -1 if there is no such file.
int	fwcfg_read_string(const char *name, char *buf, size_t size);

#endif
