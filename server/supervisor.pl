#!/usr/bin/perl
#
# Kiln's supervisor: keeps the bundled server (build/kiln/server.mjs) running.
#
# `npm start` runs server/start.mjs, which checks Node's version and the build, then
# replaces itself with this script (process.execve: same pid, so a terminal, LiteFS, Docker
# or a test still signal and wait for the process they started). It is Perl, not Node,
# because a second Node process cost the process tree 50-56 MB of RSS (41 MB of them pages
# of Node's binary counted again) for a loop that waits; this one is about 8 MB
# (docs/performance.md, memory, fifth round). It uses only modules of perl-base, which
# every Debian and Ubuntu system (the Docker image's base) and macOS have.
#
# What it does, as server/start.mjs's Node supervisor did before it:
#
# - Starts the server in its own session (Ctrl-C in a terminal reaches this process only,
#   which passes it on once: a second signal means "exit now" to the server), with a Node
#   IPC channel (a socket pair, JSON lines) on fd 3, as child_process.fork would.
# - The server says `kiln:ready` with its port and drain budget once it listens. A server
#   that had been serving and dies (its render watchdog kills a process stuck in a post's
#   render) is started again at once, after 5 deaths within a minute with a wait doubling
#   from 1 s up to 30 s; a replacement of a server started on PORT=0 listens on the same port.
#   A server that dies before it is ready ends this process with its exit code.
# - SIGTERM and SIGINT are passed on to the server; a server still there SHUTDOWN_TIMEOUT_MS
#   (its budget, from kiln:ready) plus 3 s later is killed: its main thread may be stuck.
# - When this process is killed outright, the server's IPC channel closes and it exits (its
#   render watchdog ends it if its main thread is stuck), so no orphan keeps the port.
# - Messages other than kiln:ready are relayed both ways when this process has a channel of
#   its own (NODE_CHANNEL_FD: server/start.mjs started it with one, for the soak's memory
#   probe); that channel closing means whoever started it is gone, and so is this process.
#
# Usage: perl server/supervisor.pl <node> <node options...> <entry file>
use strict;
use warnings;
use Errno qw(EINTR EAGAIN);
use Fcntl qw(F_SETFD);
use POSIX ();
use Socket qw(AF_UNIX SOCK_STREAM PF_UNSPEC MSG_DONTWAIT);

my @command = @ARGV;
die "usage: perl server/supervisor.pl <node> <arguments...>\n" unless @command;

my $KILL_GRACE_MS = 3_000;
my $RESTARTS_AT_ONCE = 5;
my $MAX_RESTART_DELAY_MS = 30_000;
my $DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

# Milliseconds on a clock that only moves forward (times() counts clock ticks since boot).
my $TICKS_PER_SECOND = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
sub now_ms { return (POSIX::times())[0] * 1000 / $TICKS_PER_SECOND }

sub json_string {
  my ($text) = @_;
  $text =~ s/(["\\])/\\$1/g;
  $text =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
  return qq{"$text"};
}

# A log line of the same shape as the server's (app/logging): JSON on standard output.
sub say_log {
  my ($level, $msg) = @_;
  my $time = POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime);
  syswrite STDOUT,
    qq({"level":"$level","time":"$time","pid":$$,"name":"kiln","msg":) . json_string($msg) . "}\n";
}

# The channel of whoever started this process, when it has one.
my $upstream;
if (defined $ENV{NODE_CHANNEL_FD} && $ENV{NODE_CHANNEL_FD} =~ /^\d+$/) {
  open($upstream, '+<&=', $ENV{NODE_CHANNEL_FD}) or undef $upstream;
}
delete @ENV{qw(NODE_CHANNEL_FD NODE_CHANNEL_SERIALIZATION_MODE)};

my ($child, $channel, $ready, $stopping, $restart_at, $kill_at, $signal_name);
my $shutdown_timeout_ms = $DEFAULT_SHUTDOWN_TIMEOUT_MS;
my @restarts;
my ($from_child, $from_upstream) = ('', '');
# Messages for the server wait here while its socket is full, up to MAX_PENDING_BYTES: this
# process never blocks on a server whose main thread is stuck (its timers must run).
my $MAX_PENDING_BYTES = 1 << 20;
my $to_child = '';
my @pending_signals;

$SIG{PIPE} = 'IGNORE';
$SIG{TERM} = sub { push @pending_signals, 'TERM' };
$SIG{INT} = sub { push @pending_signals, 'INT' };
# Only to wake select(); the exit itself is read with waitpid below.
$SIG{CHLD} = sub { };

sub start_child {
  socketpair(my $ours, my $theirs, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die "socketpair: $!\n";
  my $pid = fork;
  die "fork: $!\n" unless defined $pid;
  if ($pid == 0) {
    POSIX::setsid();
    close $ours;
    # fd 3, open across exec, as child_process.fork hands a Node child its channel.
    if (fileno($theirs) == 3) {
      fcntl($theirs, F_SETFD, 0);
    } else {
      POSIX::dup2(fileno($theirs), 3) or POSIX::_exit(127);
    }
    $ENV{NODE_CHANNEL_FD} = 3;
    $ENV{NODE_CHANNEL_SERIALIZATION_MODE} = 'json';
    $SIG{$_} = 'DEFAULT' for qw(PIPE TERM INT CHLD);
    { no warnings q(exec); exec { $command[0] } @command; }
    syswrite STDERR, "could not start $command[0]: $!\n";
    POSIX::_exit(127);
  }
  close $theirs;
  ($child, $channel, $ready, $from_child, $to_child) = ($pid, $ours, 0, '', '');
}

# One message from the server (a line of JSON): kiln:ready is for this process, the rest
# goes to whoever started it.
sub from_server {
  my ($line) = @_;
  if ($line =~ /"type"\s*:\s*"kiln:ready"/) {
    $ready = 1;
    $shutdown_timeout_ms = $1 if $line =~ /"shutdownTimeoutMs"\s*:\s*(\d+)/;
    # A server started on port 0 got one from the kernel: a replacement listens there too.
    $ENV{PORT} = $1 if $line =~ /"port"\s*:\s*(\d+)/ && $1 > 0;
    return;
  }
  syswrite $upstream, "$line\n" if $upstream;
}

sub to_server {
  my ($line) = @_;
  return unless $channel;
  if (length($to_child) + length($line) + 1 > $MAX_PENDING_BYTES) {
    say_log('warn', 'a message for the server was dropped: it has not read its channel');
    return;
  }
  $to_child .= "$line\n";
  flush_to_server();
}

sub flush_to_server {
  return unless $channel && length $to_child;
  my $sent = send($channel, $to_child, MSG_DONTWAIT);
  substr($to_child, 0, $sent) = '' if defined $sent && $sent > 0;
}

sub on_signal {
  my ($name) = @_;
  # Between a death and its restart there is no server to stop.
  exit 0 if !$child;
  kill $name, $child;
  return if $stopping;
  $stopping = 1;
  $signal_name = "SIG$name";
  # Whatever the server's main thread is doing, the process is gone shortly after its budget.
  $kill_at = now_ms() + $shutdown_timeout_ms + $KILL_GRACE_MS;
}

sub on_child_exit {
  my ($status) = @_;
  my $code = POSIX::WIFEXITED($status) ? POSIX::WEXITSTATUS($status) : undef;
  my $how = defined $code ? "exit $code" : 'SIG' . signal_name(POSIX::WTERMSIG($status));
  # What it said before it died (kiln:ready among it, when it died at once) is still in the socket.
  if ($channel) {
    1 while read_lines($channel, \$from_child, \&from_server, MSG_DONTWAIT) > 0;
    close $channel;
  }
  ($child, $channel) = (undef, undef);
  exit($code // 1) if $stopping || !$ready;
  my $now = now_ms();
  @restarts = grep { $now - $_ <= 60_000 } @restarts;
  push @restarts, $now;
  # Each bad post quarantines itself, so a run of deaths is several posts or something
  # else: back off rather than spin, but never give up on a server that had been serving.
  my $delay = @restarts <= $RESTARTS_AT_ONCE
    ? 0
    : 1000 * 2**(@restarts - $RESTARTS_AT_ONCE - 1);
  $delay = $MAX_RESTART_DELAY_MS if $delay > $MAX_RESTART_DELAY_MS;
  say_log('error', "the server process ended ($how): starting a new one" . ($delay ? " in $delay ms" : ''));
  $restart_at = $now + $delay;
}

my %signal_names;
sub signal_name {
  my ($number) = @_;
  unless (%signal_names) {
    # POSIX's names for the signals a server can die of.
    for my $name (qw(HUP INT QUIT ILL ABRT FPE KILL SEGV PIPE ALRM TERM USR1 USR2 BUS TRAP SYS XCPU XFSZ)) {
      my $value = eval { no strict 'refs'; &{"POSIX::SIG$name"}() };
      $signal_names{$value} = $name if defined $value;
    }
  }
  return $signal_names{$number} // $number;
}

# Splits complete lines off a buffer and hands each to a function.
sub read_lines {
  my ($handle, $buffer, $each, $flags) = @_;
  my $chunk = '';
  my $got = defined recv($handle, $chunk, 65536, $flags // 0) ? length $chunk : undef;
  return 0 if !defined $got && ($! == EINTR || $! == EAGAIN);
  return -1 if !$got;
  $$buffer .= $chunk;
  while ((my $end = index($$buffer, "\n")) >= 0) {
    my $line = substr($$buffer, 0, $end);
    substr($$buffer, 0, $end + 1) = '';
    $each->($line) if length $line;
  }
  # A line longer than any message Kiln sends is not a message: dropped, not kept growing.
  $$buffer = '' if length $$buffer > $MAX_PENDING_BYTES;
  return 1;
}

start_child();
while (1) {
  on_signal(shift @pending_signals) while @pending_signals;
  while ($child) {
    my $pid = waitpid($child, POSIX::WNOHANG());
    last if $pid <= 0;
    on_child_exit($?);
  }
  my $now = now_ms();
  if ($kill_at && $child && $now >= $kill_at) {
    say_log('error',
      'the server did not stop within ' . ($shutdown_timeout_ms + $KILL_GRACE_MS) . " ms of $signal_name: killing it");
    kill 'KILL', $child;
    $kill_at = undef;
  }
  if (defined $restart_at && $now >= $restart_at) {
    $restart_at = undef;
    start_child();
    next;
  }
  # Signals and the server's exit interrupt select(); the timeout bounds the rare signal
  # that lands between the checks above and select() itself.
  my $wait_ms = 1000;
  for my $at ($kill_at, $restart_at) {
    $wait_ms = $at - $now if defined $at && $at - $now < $wait_ms;
  }
  $wait_ms = 0 if $wait_ms < 0;
  my $readable = '';
  vec($readable, fileno($channel), 1) = 1 if $channel;
  vec($readable, fileno($upstream), 1) = 1 if $upstream;
  my $writable = '';
  vec($writable, fileno($channel), 1) = 1 if $channel && length $to_child;
  my $found = select(my $ready_handles = $readable, my $ready_to_write = $writable, undef, $wait_ms / 1000);
  next if $found <= 0;
  flush_to_server() if $channel && vec($ready_to_write, fileno($channel), 1);
  if ($channel && vec($ready_handles, fileno($channel), 1)) {
    # The server closed its end: its exit follows, and waitpid sees it.
    if (read_lines($channel, \$from_child, \&from_server) < 0) {
      close $channel;
      $channel = undef;
    }
  }
  if ($upstream && vec($ready_handles, fileno($upstream), 1)) {
    if (read_lines($upstream, \$from_upstream, \&to_server) < 0) {
      # Whoever started this process is gone: so is this one, and the server with its channel.
      exit 1;
    }
  }
}
