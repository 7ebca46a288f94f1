#!/usr/bin/perl
# Usage: sign.pl BOOTSECTOR
# Pad the boot sector to 510 bytes and append the 0x55AA signature the
# BIOS looks for.  Fail, naming the size, if the code does not fit.

use strict;
use warnings;

my $file = shift or die "usage: sign.pl BOOTSECTOR\n";
open(my $in, '<:raw', $file) or die "sign.pl: $file: $!\n";
my $code = do { local $/; <$in> };
close($in);

my $len = length($code);
die "sign.pl: boot sector is $len bytes, more than the 510 that fit\n"
	if $len > 510;
print STDERR "boot sector is $len bytes (max 510)\n";

open(my $out, '>:raw', $file) or die "sign.pl: $file: $!\n";
print $out $code, "\0" x (510 - $len), "\x55\xAA";
close($out) or die "sign.pl: $file: $!\n";
