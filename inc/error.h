/* Error codes.  System calls and library functions return them negated. */
#ifndef JOS_INC_ERROR_H
#define JOS_INC_ERROR_H

enum {
	E_UNSPECIFIED	= 1,	// cause not known
	E_BAD_ENV	= 2,	// no such environment, or not ours to touch
	E_INVAL		= 3,	// a bad argument
	E_NO_MEM	= 4,	// no physical page left
	E_NO_FREE_ENV	= 5,	// the environment table is full
	E_FAULT		= 6,	// a memory fault
	E_IPC_NOT_RECV	= 7,	// the target is not waiting in ipc_recv
	E_EOF		= 8,	// end of input came too soon

	MAXERROR
};

#endif
