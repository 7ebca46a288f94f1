/*
 * The PS/2 keyboard: scan code set 1, US layout.  Only what a monitor
 * user needs: letters, digits, punctuation, shift, ctrl and caps lock.
 * Keys sent with an 0xE0 prefix (arrows and the like) are ignored.
 */
#include <inc/x86.h>
#include <kern/console.h>

#define KBSTATP		0x64	// status port
#define   KBS_DIB	0x01	//   a byte waits in the data port
#define KBDATAP		0x60	// data port

#define SC_RELEASE	0x80	// set in the scan code of a key release
#define SC_ESCAPE	0xE0	// prefix of extended keys
#define SC_LSHIFT	0x2A
#define SC_RSHIFT	0x36
#define SC_CTRL		0x1D
#define SC_CAPSLOCK	0x3A

// Characters by scan code, without and with shift.
static const char normalmap[] =
	"\0\x1b" "1234567890-=\b\t" "qwertyuiop[]\n\0" "asdfghjkl;'`\0\\"
	"zxcvbnm,./\0*\0 ";
static const char shiftmap[] =
	"\0\x1b" "!@#$%^&*()_+\b\t" "QWERTYUIOP{}\n\0" "ASDFGHJKL:\"~\0|"
	"ZXCVBNM<>?\0*\0 ";

static bool shift, ctrl, capslock, escaped;

void
kbd_init(void)
{
	// Drain anything the BIOS left behind.
	while (inb(KBSTATP) & KBS_DIB)
		(void) inb(KBDATAP);
}

// The next character typed, 0 for a key that makes none, -1 if none waits.
int
kbd_getc(void)
{
	uint8_t sc;
	bool release;
	int c;

	if (!(inb(KBSTATP) & KBS_DIB))
		return -1;
	sc = inb(KBDATAP);
	if (sc == SC_ESCAPE) {
		escaped = true;
		return 0;
	}
	if (escaped) {
		escaped = false;
		return 0;
	}

	release = sc & SC_RELEASE;
	sc &= ~SC_RELEASE;
	if (sc == SC_LSHIFT || sc == SC_RSHIFT) {
		shift = !release;
		return 0;
	}
	if (sc == SC_CTRL) {
		ctrl = !release;
		return 0;
	}
	if (release || sc >= sizeof(normalmap) - 1)
		return 0;
	if (sc == SC_CAPSLOCK) {
		capslock = !capslock;
		return 0;
	}

	c = (shift ? shiftmap : normalmap)[sc];
	if (capslock && c >= 'a' && c <= 'z')
		c += 'A' - 'a';
	else if (capslock && c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	if (ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c &= 0x1F;
	return c;
}
