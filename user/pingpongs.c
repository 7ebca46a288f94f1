/*
 * pingpong over shared memory: with sfork, parent and child share val
 * and each ipc message only says "your turn".
 */
#include <inc/lib.h>

volatile uint32_t val;

void
umain(int argc, char **argv)
{
	envid_t who;

	if ((who = sfork()) < 0) {
		cprintf("pingpongs: sfork is not supported: %e\n", who);
		return;
	}
	if (who != 0) {
		cprintf("send 0 from %x to %x\n", sys_getenvid(), who);
		ipc_send(who, 0, 0, 0);
	}
	for (;;) {
		ipc_recv(&who, 0, 0);
		cprintf("%x got %d from %x\n", sys_getenvid(), val, who);
		if (val == 10)
			return;
		val++;
		ipc_send(who, 0, 0, 0);
		if (val == 10)
			return;
	}
}
