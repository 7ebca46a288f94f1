# Settings you may change for your machine.

# V = @ hides build commands; run `make V=` to see each one.
V = @

# An i386 ELF cross-compiler prefix, such as i386-jos-elf-.  Left empty,
# the build looks for one and falls back to the host gcc with -m32.
# GCCPREFIX =

# The QEMU to run, if qemu-system-i386 is not on the PATH.
# QEMU =
