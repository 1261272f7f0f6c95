package dev.claw.net;

import dev.claw.event.EventListener;
import dev.claw.net.DnsMessage.Answer;
import dev.claw.net.DnsMessage.MalformedException;
import dev.claw.net.DnsMessage.Question;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One VM's DNS server, on the host end of its uplink. It answers only the names its profile
 * lists (exactly; no wildcards), by asking the upstream resolver; before the answer goes back,
 * its A and AAAA addresses are added to the VM's allowed set for their TTL, so the agent can
 * connect to exactly what it was told. Any other name gets REFUSED, and is sent nowhere:
 * REFUSED rather than NXDOMAIN, because the name may well exist and the agent should learn
 * that policy, not DNS, stopped it.
 *
 * <p>Only A and AAAA are asked upstream; other types of an allowed name get an empty answer
 * (clients such as curl also ask for HTTPS records and must not fail on them). Only UDP is
 * served: the upstream query carries no EDNS, so answers fit in 512 bytes or come back
 * truncated.
 *
 * <p>Nothing else can use it: it listens on the uplink address and answers only packets whose
 * source is the VM's namespace; another VM's namespace drops packets to claw's ranges, and the
 * uplink address is reachable from outside the host only if the host routes claw's private
 * range to it.
 */
public final class DnsResponder implements AutoCloseable {
  /** Addresses are allowed at least this long, so a TTL of 0 still lets the agent connect. */
  static final long MIN_TTL = 10;
  static final long MAX_TTL = 86_400;
  private static final int UPSTREAM_TIMEOUT_MS = 2000;
  private static final int UPSTREAM_TRIES = 2;
  private static final int MAX_MESSAGE = 4096;

  /** Puts answered addresses into the VM's firewall; must be done when it returns. */
  @FunctionalInterface
  public interface Allow {
    void allow(String name, List<Answer> answers, long ttlSeconds) throws IOException;
  }

  private final Set<String> names;
  private final InetSocketAddress upstream;
  private final Allow allow;
  private final EventListener events;
  private final List<DatagramChannel> channels = new ArrayList<>();
  private final ThreadPoolExecutor workers = new ThreadPoolExecutor(2, 4, 10, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(64), runnable -> daemon(runnable, "claw-dns"));
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  public DnsResponder(Set<String> names, InetAddress upstream, Allow allow,
      EventListener events) {
    this.names = Set.copyOf(names);
    this.upstream = new InetSocketAddress(upstream, 53);
    this.allow = allow;
    this.events = events;
  }

  /**
   * Listens on {@code local} (port chosen by the kernel) for queries from {@code client} only.
   *
   * @return the port it listens on
   */
  public int listen(InetAddress local, InetAddress client) throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    channel.bind(new InetSocketAddress(local, 0));
    synchronized (channels) {
      channels.add(channel);
    }
    daemon(() -> serve(channel, client), "claw-dns-" + local.getHostAddress()).start();
    return ((InetSocketAddress) channel.getLocalAddress()).getPort();
  }

  /** Queries sent upstream so far. */
  public long forwarded() {
    return forwarded.get();
  }

  /** Queries refused so far (names the profile does not list). */
  public long refused() {
    return refused.get();
  }

  private void serve(DatagramChannel channel, InetAddress client) {
    ByteBuffer buffer = ByteBuffer.allocate(MAX_MESSAGE);
    try {
      while (true) {
        buffer.clear();
        InetSocketAddress from = (InetSocketAddress) channel.receive(buffer);
        if (from == null || !from.getAddress().equals(client)) {
          continue;
        }
        byte[] query = Arrays.copyOf(buffer.array(), buffer.position());
        try {
          workers.execute(() -> answer(channel, from, query));
        } catch (RejectedExecutionException e) {
          // A flood: dropping is what a busy resolver does, and the client will retry.
        }
      }
    } catch (ClosedChannelException e) {
      // Closed by close(): the VM is gone.
    } catch (IOException e) {
      events.warn("the DNS responder stopped: " + e.getMessage());
    }
  }

  private void answer(DatagramChannel channel, InetSocketAddress from, byte[] query) {
    Question question;
    try {
      question = DnsMessage.parseQuery(query, query.length);
    } catch (MalformedException e) {
      return;  // Not DNS, or not a query: no reply teaches a prober anything.
    }
    byte[] reply = reply(question);
    try {
      channel.send(ByteBuffer.wrap(reply), from);
    } catch (IOException e) {
      // The guest will retry; a closed channel means the VM is going away.
    }
  }

  byte[] reply(Question question) {
    if (!names.contains(question.name())) {
      refused.incrementAndGet();
      events.detail("dns: refused " + question.name() + " (not in the profile)");
      return DnsMessage.emptyReply(question, DnsMessage.RCODE_REFUSED);
    }
    boolean address = question.type() == DnsMessage.TYPE_A
        || question.type() == DnsMessage.TYPE_AAAA;
    if (!address || question.qclass() != DnsMessage.CLASS_IN) {
      return DnsMessage.emptyReply(question, 0);
    }
    try {
      return forward(question);
    } catch (IOException | MalformedException e) {
      events.detail("dns: " + question.name() + ": " + e.getMessage());
      return DnsMessage.emptyReply(question, DnsMessage.RCODE_SERVFAIL);
    }
  }

  private byte[] forward(Question question) throws IOException, MalformedException {
    forwarded.incrementAndGet();
    int id = random.nextInt(1 << 16);
    byte[] query = DnsMessage.query(id, question);
    byte[] buffer = new byte[MAX_MESSAGE];
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(upstream);
      socket.setSoTimeout(UPSTREAM_TIMEOUT_MS);
      for (int attempt = 0; attempt < UPSTREAM_TRIES; attempt++) {
        socket.send(new DatagramPacket(query, query.length));
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
          socket.receive(packet);
        } catch (SocketTimeoutException e) {
          continue;
        }
        if (DnsMessage.answers(buffer, packet.getLength(), id, question)) {
          return allowAndPass(question, buffer, packet.getLength());
        }
      }
    }
    throw new IOException("no answer from " + upstream.getAddress().getHostAddress());
  }

  /** The firewall learns the addresses before the guest does. */
  private byte[] allowAndPass(Question question, byte[] reply, int length)
      throws IOException, MalformedException {
    if (DnsMessage.rcode(reply) == 0) {
      List<Answer> answers = DnsMessage.addresses(reply, length, question);
      if (!answers.isEmpty()) {
        long ttl = answers.stream().mapToLong(Answer::ttlSeconds).min().orElse(MIN_TTL);
        allow.allow(question.name(), answers, Math.min(MAX_TTL, Math.max(MIN_TTL, ttl)));
      }
    }
    return DnsMessage.withId(reply, length, question.id());
  }

  @Override
  public void close() {
    synchronized (channels) {
      for (DatagramChannel channel : channels) {
        try {
          channel.close();
        } catch (IOException e) {
          // Closing a datagram socket cannot fail in a way that leaves anything behind.
        }
      }
      channels.clear();
    }
    workers.shutdownNow();
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }
}
