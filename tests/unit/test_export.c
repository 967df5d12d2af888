// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The export: series under a budget, label escaping, peer scopes, pages from events, and the
 * atomic textfile. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "export_families.h"
#include "exporter.h"
#include "peer_scope.h"
#include "prom_text.h"
#include "flow_counts.h"
#include "http.h"
#include "series.h"
#include "tcp_bytes.h"
#include "textfile.h"
#include "unit.h"

static struct series_key key_port(enum series_group g, uint16_t port)
{
	struct series_key k = series_key_of(g);

	k.port = port;
	return k;
}

static void counters_keep_their_series(void **state)
{
	struct series_store s;
	struct series_key a = key_port(G_TCP, 1), b = key_port(G_TCP, 2), c = key_port(G_TCP, 3);
	struct series *ea, *eb, *ec;

	(void)state;
	series_store_init(&s, 8);
	ea = series_counter(&s, &a, 4);
	eb = series_counter(&s, &b, 4);
	ec = series_counter(&s, &c, 4); /* over budget: folded */
	assert_non_null(ea);
	assert_ptr_not_equal(ea, eb);
	assert_true(ec->key.other);
	assert_int_equal(s.folded, 1);
	assert_ptr_equal(series_counter(&s, &a, 4), ea); /* a key once given keeps its series */
	assert_ptr_equal(series_counter(&s, &c, 4), ec); /* and a folded one stays folded */
	assert_int_equal(s.used, 8);
	series_store_free(&s);
}

/* Keys that print the same labels are one series: Prometheus refuses a page that has a
 * series twice (the fuzz target prom_page found such pages). */
static void keys_as_labels_read(void **state)
{
	struct series_store s;
	struct series_key a = key_port(G_PORT, 80), b, plain_port = key_port(G_PORT, 80);
	struct series_key plain_tcp = key_port(G_TCP, 80);
	struct series *e;

	(void)state;
	series_store_init(&s, 100);
	memcpy(a.comm, "ab\0x", 4);
	a.uid = 7;
	e = series_gauge(&s, &a);
	b = a;
	memcpy(b.comm, "ab\0y", 4); /* old bytes after the name's NUL */
	assert_ptr_equal(series_gauge(&s, &b), e);
	b = key_port(G_PORT, 80);
	b.uid = 1000; /* no name: the user reads "unknown" too */
	assert_ptr_equal(series_gauge(&s, &b), series_gauge(&s, &plain_port));
	b = key_port(G_TCP, 80);
	memset(b.peer_addr, 0xab, sizeof(b.peer_addr)); /* not a label: no --peer-labels match */
	assert_ptr_equal(series_counter(&s, &b, 1), series_counter(&s, &plain_tcp, 1));
	b = key_port(G_UNIX_PORT, 0);
	b.path_len = 4;
	memcpy(b.path, "/x\0y", 4); /* a file name ends at its NUL, an abstract one does not */
	e = series_gauge(&s, &b);
	b.path[3] = 'z';
	assert_ptr_equal(series_gauge(&s, &b), e);
	b.path[0] = '\0';
	assert_ptr_not_equal(series_gauge(&s, &b), e);
	series_store_free(&s);
}

static void gauges_fold_busiest_first(void **state)
{
	struct series_store s;
	uint64_t values[] = { 5, 1, 3, 2 };
	struct series **g;
	size_t n;

	(void)state;
	series_store_init(&s, 0);
	for (int i = 0; i < 4; i++) {
		struct series_key k = key_port(G_PORT, (uint16_t)(100 + i));

		series_gauge(&s, &k)->v[0] = values[i];
	}
	assert_int_equal(series_store_fold(&s, 2), 0);
	assert_int_equal(s.folded, 2);
	g = series_of_group(&s, G_PORT, &n);
	assert_int_equal(n, 3); /* ports 100 and 102, then `other` */
	assert_int_equal(g[0]->key.port, 100);
	assert_int_equal(g[1]->key.port, 102);
	assert_true(g[2]->key.other);
	assert_int_equal(g[2]->v[0], 1 + 2);
	free(g);
	series_store_free(&s);
}

static char *render(void (*fn)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void comm_label(FILE *f, const void *arg)
{
	prom_label_bytes(f, 1, "process", arg, 16);
}

static void path_label(FILE *f, const void *arg)
{
	prom_label_path(f, 1, "path", arg, 5);
}

static void hostile_label_values(void **state)
{
	char comm[16] = "a\"}\n\x1b[2J\\";
	char *out;

	(void)state;
	out = render(comm_label, comm);
	/* bytes outside printable ASCII read \xNN (sockscope's text form), then the format's
	 * escapes: a quote and a backslash are the only ones left to make */
	assert_string_equal(out, "process=\"a\\\"}\\\\x0a\\\\x1b[2J\\\\\\\\\"");
	free(out);
	out = render(path_label, "\0ab\0c");
	assert_string_equal(out, "path=\"@ab\\\\x00c\"");
	free(out);
	out = render(path_label, "/x\0yz");
	assert_string_equal(out, "path=\"/x\"");
	free(out);
}

static enum peer_scope scope(const char *text)
{
	uint8_t a[16] = { 0 };

	if (inet_pton(AF_INET, text, a) == 1)
		return peer_scope_of(AF_INET, a);
	assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	return peer_scope_of(AF_INET6, a);
}

static void peer_scopes(void **state)
{
	(void)state;
	assert_int_equal(scope("127.0.0.1"), PEER_LOOPBACK);
	assert_int_equal(scope("::1"), PEER_LOOPBACK);
	assert_int_equal(scope("::ffff:127.0.0.5"), PEER_LOOPBACK);
	assert_int_equal(scope("10.1.2.3"), PEER_PRIVATE);
	assert_int_equal(scope("172.31.255.1"), PEER_PRIVATE);
	assert_int_equal(scope("172.32.0.1"), PEER_PUBLIC);
	assert_int_equal(scope("192.168.0.1"), PEER_PRIVATE);
	assert_int_equal(scope("100.64.0.1"), PEER_PRIVATE);
	assert_int_equal(scope("100.128.0.1"), PEER_PUBLIC);
	assert_int_equal(scope("::ffff:192.168.1.1"), PEER_PRIVATE);
	assert_int_equal(scope("fd00::1"), PEER_PRIVATE);
	assert_int_equal(scope("fe80::1"), PEER_PRIVATE);
	assert_int_equal(scope("8.8.8.8"), PEER_PUBLIC);
	assert_int_equal(scope("2001:db8::1"), PEER_PUBLIC);
}

static void tcp_event(struct live_session *s, uint16_t type, const char *comm, uint16_t sport,
		      uint16_t dport, uint32_t flags, uint64_t sent, uint64_t received)
{
	struct ss_tcp_event e = { .hdr = { .type = type, .version = SS_ABI_VERSION,
					   .size = sizeof(e) } };

	e.owner.pid = 42;
	memcpy(e.owner.comm, comm, strlen(comm));
	e.tuple.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", e.tuple.saddr);
	inet_pton(AF_INET, "127.0.0.1", e.tuple.daddr);
	e.tuple.sport = sport;
	e.tuple.dport = dport;
	e.flags = flags;
	e.bytes_sent = sent;
	e.bytes_received = received;
	e.duration_ns = 2000000; /* 2 ms */
	e.error = ECONNREFUSED;
	exporter_on_event(s, &e.hdr, 0, NULL);
}

static char *page_of(struct exporter *x, struct live_session *s)
{
	char *page;
	size_t len;

	assert_int_equal(exporter_page(x, s, &page, &len), 0);
	assert_int_equal(strlen(page), len);
	return page;
}

static void page_from_events(void **state)
{
	struct live_session *s = calloc(1, sizeof(*s));
	struct exporter x;
	size_t min;
	char *page;

	(void)state;
	assert_int_equal(exporter_init(&x, 2000, 0, 0, &min), 0);
	assert_int_equal(assoc_table_init(&s->table, 1024), 0);
	s->ctx = &x;
	tcp_event(s, SS_EV_TCP_CONNECT, "cli", 40000, 8080, 0, 0, 0);
	tcp_event(s, SS_EV_TCP_ACCEPT, "srv", 8080, 40000, SS_F_PASSIVE, 0, 0);
	tcp_event(s, SS_EV_TCP_CLOSE, "cli", 40000, 8080, 0, 300, 70);
	tcp_event(s, SS_EV_TCP_CLOSE, "srv", 8080, 40000, SS_F_PASSIVE, 70, 300);
	tcp_event(s, SS_EV_TCP_CONNECT_FAILED, "cli", 40001, 9, 0, 0, 0);
	/* a connection open before start: its bytes count, its lifetime is not known */
	tcp_event(s, SS_EV_TCP_CLOSE, "cli", 40002, 8080, SS_F_PARTIAL, 5, 0);
	page = page_of(&x, s);
	assert_non_null(strstr(page, "sockscope_tcp_connections_opened_total{direction=\"outbound\","
				     "process=\"cli\",port=\"8080\",peer=\"loopback\"} 1\n"));
	assert_non_null(strstr(page, "sockscope_tcp_connections_opened_total{direction=\"inbound\","
				     "process=\"srv\",port=\"8080\",peer=\"loopback\"} 1\n"));
	assert_non_null(strstr(page, "sockscope_tcp_sent_bytes_total{direction=\"outbound\","
				     "process=\"cli\",port=\"8080\",peer=\"loopback\"} 305\n"));
	assert_non_null(strstr(page, "sockscope_tcp_received_bytes_total{direction=\"inbound\","
				     "process=\"srv\",port=\"8080\",peer=\"loopback\"} 300\n"));
	assert_non_null(strstr(page, "sockscope_tcp_connect_failures_total{process=\"cli\","
				     "port=\"9\",peer=\"loopback\",reason=\"refused\"} 1\n"));
	assert_non_null(strstr(page, "sockscope_tcp_connection_duration_seconds_bucket{direction="
				     "\"outbound\",le=\"0.001\"} 0\n"));
	assert_non_null(strstr(page, "sockscope_tcp_connection_duration_seconds_bucket{direction="
				     "\"outbound\",le=\"0.005\"} 1\n"));
	assert_non_null(strstr(page, "sockscope_tcp_connection_duration_seconds_count{direction="
				     "\"outbound\"} 1\n"));
	free(page);
	exporter_free(&x);
	assoc_table_free(&s->table);
	free(s);
}

/* However many keys the host makes, the page holds at most max_series series. */
static void page_within_budget(void **state)
{
	struct live_session *s = calloc(1, sizeof(*s));
	struct exporter x;
	size_t min, series = 0;
	char *page, *line;

	(void)state;
	assert_int_equal(exporter_init(&x, 10, 0, 0, &min), -ERANGE);
	assert_int_equal(exporter_init(&x, min + 40, 0, 0, &min), 0);
	assert_int_equal(assoc_table_init(&s->table, 1024), 0);
	s->ctx = &x;
	for (uint16_t port = 1; port <= 500; port++)
		tcp_event(s, SS_EV_TCP_CONNECT, "cli", 40000, port, 0, 0, 0);
	page = page_of(&x, s);
	for (line = strtok(page, "\n"); line; line = strtok(NULL, "\n"))
		series += line[0] != '#';
	/* hook_info is counted in the budget for every hook; here no hook ran */
	assert_true(series <= min + 40);
	assert_true(x.counters.folded > 0);
	free(page);
	page = page_of(&x, s);
	assert_non_null(strstr(page, "sockscope_tcp_connections_opened_total{direction=\"other\","
				     "process=\"other\",port=\"other\",peer=\"other\"} "));
	free(page);
	exporter_free(&x);
	assoc_table_free(&s->table);
	free(s);
}

static void textfile_atomic(void **state)
{
	char dir[] = "/tmp/ss-unit-textfile.XXXXXX", path[64], buf[64];
	const char *what;
	struct stat st;
	struct dirent *d;
	DIR *dh;
	FILE *f;
	int n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.prom", dir);
	assert_int_equal(textfile_check(path, &what), 0);
	assert_int_equal(textfile_write(path, "a 1\n", 4), 0);
	assert_int_equal(textfile_write(path, "b 2\n", 4), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "b 2\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	dh = opendir(dir); /* nothing left beside it */
	while ((d = readdir(dh)))
		n += d->d_name[0] != '.';
	closedir(dh);
	assert_int_equal(n, 1);
	assert_int_equal(textfile_check(dir, &what), -EISDIR);
	unlink(path);
	rmdir(dir);
	assert_int_equal(textfile_check(path, &what), -ENOENT);
	assert_string_equal(what, "directory");
}

static struct ss_tcp_event conn(uint16_t sport, uint64_t sent, uint64_t received)
{
	struct ss_tcp_event e = { .netns = 7 };

	e.tuple.family = AF_INET;
	e.tuple.sport = sport;
	e.tuple.dport = 80;
	e.bytes_sent = sent;
	e.bytes_received = received;
	return e;
}

/* The parts a connection's walks and close give add up to its close's totals, once. */
static void open_connection_bytes(void **state)
{
	struct tcp_bytes t = { 0 };
	struct ss_tcp_event e;
	struct conn_counts d;

	(void)state;
	e = conn(1000, 100, 10);
	tcp_bytes_seen(&t, &e, &d);
	assert_true(d.sent == 100 && d.received == 10);
	tcp_bytes_walk_done(&t);
	e = conn(1000, 150, 10);
	tcp_bytes_seen(&t, &e, &d);
	assert_true(d.sent == 50 && d.received == 0);
	tcp_bytes_walk_done(&t);
	e = conn(1000, 170, 12);
	tcp_bytes_closed(&t, &e, &d);
	assert_true(d.sent == 20 && d.received == 2);
	/* a walk that raced the close adds nothing */
	e = conn(1000, 170, 12);
	tcp_bytes_seen(&t, &e, &d);
	assert_true(d.sent == 0 && d.received == 0);
	/* a close the walks never saw counts whole */
	e = conn(2000, 5, 6);
	tcp_bytes_closed(&t, &e, &d);
	assert_true(d.sent == 5 && d.received == 6);
	/* a closed connection is forgotten after two walks without it */
	assert_int_equal(t.n, 1);
	tcp_bytes_walk_done(&t);
	tcp_bytes_walk_done(&t);
	tcp_bytes_walk_done(&t);
	assert_int_equal(t.n, 0);
	/* an open one missing from walks (its close lost) only after ten */
	e = conn(3000, 1, 1);
	tcp_bytes_seen(&t, &e, &d);
	for (int i = 0; i < 10; i++)
		tcp_bytes_walk_done(&t);
	assert_int_equal(t.n, 1);
	tcp_bytes_walk_done(&t);
	tcp_bytes_walk_done(&t);
	assert_int_equal(t.n, 0);
	tcp_bytes_free(&t);
}

static const char *listen_text(const char *spec)
{
	static char buf[64];
	struct sockaddr_storage a;
	socklen_t len;

	if (http_parse_listen(spec, &a, &len))
		return "invalid";
	http_addr_text(&a, buf, sizeof(buf));
	return buf;
}

static void listen_addresses(void **state)
{
	(void)state;
	assert_string_equal(listen_text("9101"), "127.0.0.1:9101");
	assert_string_equal(listen_text("0.0.0.0:9101"), "0.0.0.0:9101");
	assert_string_equal(listen_text("[::1]:80"), "[::1]:80");
	assert_string_equal(listen_text("::1:80"), "[::1]:80");
	assert_string_equal(listen_text("0"), "invalid");
	assert_string_equal(listen_text("65536"), "invalid");
	assert_string_equal(listen_text("1.2.3:80"), "invalid");
	assert_string_equal(listen_text(":80"), "invalid");
	assert_string_equal(listen_text("[::1]"), "invalid");
	assert_string_equal(listen_text("localhost:80"), "invalid");
}

static bool peer_label(const struct peer_nets *n, const char *text, char *out)
{
	uint8_t a[16] = { 0 }, mapped[16];
	unsigned family = inet_pton(AF_INET, text, a) == 1 ? AF_INET : AF_INET6;

	if (family == AF_INET6)
		assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	if (!peer_nets_match(n, family, a, mapped))
		return false;
	peer_addr_text(mapped, out, 64);
	return true;
}

static void peer_address_labels(void **state)
{
	struct peer_nets n;
	char out[64];

	(void)state;
	assert_int_equal(peer_nets_parse("10.0.0.0/8,192.168.1.0/24,fd00::/8", &n), 0);
	assert_true(peer_label(&n, "10.1.2.3", out));
	assert_string_equal(out, "10.1.2.3");
	assert_true(peer_label(&n, "::ffff:192.168.1.9", out)); /* a v4-mapped peer is IPv4 */
	assert_string_equal(out, "192.168.1.9");
	assert_false(peer_label(&n, "192.168.2.1", out));
	assert_true(peer_label(&n, "fd12::1", out));
	assert_string_equal(out, "fd12::1");
	assert_false(peer_label(&n, "8.8.8.8", out));
	assert_int_equal(peer_nets_parse("all", &n), 0);
	assert_true(peer_label(&n, "8.8.8.8", out));
	assert_int_equal(peer_nets_parse("10.0.0.0/33", &n), -EINVAL);
	assert_int_equal(peer_nets_parse("10.0.0.0", &n), -EINVAL);
	assert_int_equal(peer_nets_parse("10.0.0.0/-1", &n), -EINVAL);
	assert_int_equal(peer_nets_parse("::/129", &n), -EINVAL);
	assert_int_equal(peer_nets_parse("", &n), -EINVAL);
	assert_int_equal(peer_nets_parse("host/8", &n), -EINVAL);
	assert_int_equal(peer_nets_parse("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,"
					 "6.0.0.0/8,7.0.0.0/8,8.0.0.0/8,9.0.0.0/8,10.0.0.0/8,"
					 "11.0.0.0/8,12.0.0.0/8,13.0.0.0/8,14.0.0.0/8,15.0.0.0/8,"
					 "16.0.0.0/8,17.0.0.0/8", &n), -E2BIG);
	/* a /0 takes everything of its family */
	assert_int_equal(peer_nets_parse("0.0.0.0/0", &n), 0);
	assert_true(peer_label(&n, "1.2.3.4", out));
	assert_false(peer_label(&n, "2001:db8::1", out));
}

/* A UDP flow's progress and its end add up to the end's count, once per epoch. */
static void open_flow_counts(void **state)
{
	struct flow_counts c = { 0 };
	struct ss_flow_event e = { 0 };
	uint64_t p, b;

	(void)state;
	e.key.cookie = 9;
	e.packets = 5, e.bytes = 500;
	flow_counts_seen(&c, &e, &p, &b);
	assert_true(p == 5 && b == 500);
	e.packets = 12, e.bytes = 1200;
	flow_counts_seen(&c, &e, &p, &b);
	assert_true(p == 7 && b == 700);
	e.packets = 13, e.bytes = 1300;
	flow_counts_ended(&c, &e, &p, &b);
	assert_true(p == 1 && b == 100);
	assert_int_equal(c.n, 0);
	/* the next epoch starts from nothing */
	e.packets = 2, e.bytes = 20;
	flow_counts_ended(&c, &e, &p, &b);
	assert_true(p == 2 && b == 20);
	flow_counts_free(&c);
}

static void fail_reasons(void **state)
{
	(void)state;
	assert_string_equal(fail_reason_name(fail_reason_of(ECONNREFUSED)), "refused");
	assert_string_equal(fail_reason_name(fail_reason_of(ETIMEDOUT)), "timeout");
	assert_string_equal(fail_reason_name(fail_reason_of(EHOSTUNREACH)), "host_unreachable");
	assert_string_equal(fail_reason_name(fail_reason_of(EIO)), "other");
}

int run_export_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_keep_their_series),
		cmocka_unit_test(gauges_fold_busiest_first),
		cmocka_unit_test(keys_as_labels_read),
		cmocka_unit_test(hostile_label_values),
		cmocka_unit_test(peer_scopes),
		cmocka_unit_test(page_from_events),
		cmocka_unit_test(page_within_budget),
		cmocka_unit_test(textfile_atomic),
		cmocka_unit_test(fail_reasons),
		cmocka_unit_test(open_connection_bytes),
		cmocka_unit_test(listen_addresses),
		cmocka_unit_test(peer_address_labels),
		cmocka_unit_test(open_flow_counts),
	};

	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
