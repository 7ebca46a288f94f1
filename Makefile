# The build lives in GNUmakefile; this file only hands over to GNU make
# for a `make` that is not GNU make.
all .DEFAULT:
	@gmake -f GNUmakefile $@ || make -f GNUmakefile $@
