/* Two environments pass a counter back and forth with ipc up to 10. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t who;
	uint32_t i;

	if ((who = fork()) < 0)
		panic("fork: %e", who);
	if (who != 0) {
		cprintf("send 0 from %x to %x\n", sys_getenvid(), who);
		ipc_send(who, 0, 0, 0);
	}
	for (;;) {
		i = ipc_recv(&who, 0, 0);
		cprintf("%x got %d from %x\n", sys_getenvid(), i, who);
		if (i == 10)
			return;
		i++;
		ipc_send(who, i, 0, 0);
		if (i == 10)
			return;
	}
}
