#!/usr/bin/perl
# Usage: mergedep.pl OUT DEPFILE...
#
# Fold the compiler's per-object dependency files (gcc -MD) into OUT, one
# rule per target.  A target's rule in a DEPFILE replaces the one OUT held;
# rules for other targets stay, so OUT always describes every object built.

use strict;
use warnings;

my ($out, @depfiles) = @ARGV;
die "usage: mergedep.pl OUT DEPFILE...\n" unless defined $out;

my %rules;

# Read "target: prerequisites" rules, joining backslash-continued lines.
sub read_rules {
	my ($file) = @_;
	open(my $fh, '<', $file) or return;
	my $text = do { local $/; <$fh> };
	close($fh);
	$text =~ s/\\\n/ /g;
	for my $line (split /\n/, $text) {
		next unless $line =~ /^([^:#\s][^:]*?)\s*:(?!=)\s*(.*)$/;
		my ($target, $prereqs) = ($1, $2);
		$prereqs =~ s/\s+/ /g;
		$prereqs =~ s/^ | $//g;
		$rules{$target} = $prereqs;
	}
}

read_rules($out) if -e $out;
read_rules($_) for @depfiles;

open(my $fh, '>', "$out.tmp") or die "mergedep.pl: $out.tmp: $!\n";
for my $target (sort keys %rules) {
	print $fh "$target: $rules{$target}\n";
}
close($fh) or die "mergedep.pl: $out.tmp: $!\n";
rename("$out.tmp", $out) or die "mergedep.pl: $out: $!\n";
