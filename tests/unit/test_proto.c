/* The agent protocol's frames: encoding, incremental decoding whatever the
 * chunking, and the rejection of malformed, oversized and misplaced frames
 * without losing the frames that follow. */
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "proto.h"
#include "strbuf.h"

static void append(struct strbuf *sb, unsigned char *frame, size_t len)
{
	strbuf_append_len(sb, (const char *)frame, len);
	free(frame);
}

static void raw_header(struct strbuf *sb, uint32_t len, uint32_t stream, uint8_t type,
		       uint8_t flags)
{
	unsigned char h[PROTO_HEADER];
	frame_encode_header(h, stream, type, flags, len);
	strbuf_append_len(sb, (const char *)h, sizeof(h));
}

static void header_layout(void **state)
{
	(void)state;
	unsigned char h[PROTO_HEADER];
	frame_encode_header(h, 0x01020304, FRAME_DATA, FD_STDERR, 0x00000a0b);
	const unsigned char want[PROTO_HEADER] = {0, 0, 0x0a,	    0x0b,      1, 2,
						  3, 4, FRAME_DATA, FD_STDERR, 0, 0};
	assert_memory_equal(h, want, sizeof(want));
}

/* Three frames decode the same fed whole, byte by byte, or in odd chunks. */
static void decode_any_chunking(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	size_t n;
	unsigned char *fr;
	json_t *req = json_pack("{s:i, s:s}", "id", 7, "op", "ping");
	fr = frame_build_json(0, FRAME_REQUEST, req, &n);
	append(&sb, fr, n);
	json_decref(req);
	fr = frame_build(3, FRAME_DATA, FD_STDOUT, "hello\n", 6, &n);
	append(&sb, fr, n);
	fr = frame_build_window(3, FD_STDIN, 4096, &n);
	append(&sb, fr, n);

	const size_t chunks[] = {sb.len, 1, 5, 13};
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct frame_decoder d;
		frame_decoder_init(&d);
		struct frame f[4];
		int got = 0;
		_cleanup_error_ struct kc_error why = {0};
		for (size_t off = 0; off < sb.len; off += chunks[c]) {
			size_t take = sb.len - off < chunks[c] ? sb.len - off : chunks[c];
			frame_decoder_feed(&d, sb.s + off, take);
			enum decode_result r;
			while ((r = frame_decode(&d, &f[got], NULL, &why)) == DECODE_FRAME)
				got++;
			assert_int_equal(r, DECODE_NONE);
		}
		assert_int_equal(got, 3);
		assert_int_equal(f[0].type, FRAME_REQUEST);
		assert_int_equal(f[0].stream, 0);
		json_t *j = frame_json(&f[0], &why);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "op")), "ping");
		json_decref(j);
		assert_int_equal(f[1].type, FRAME_DATA);
		assert_int_equal(f[1].stream, 3);
		assert_int_equal(f[1].flags, FD_STDOUT);
		assert_int_equal(f[1].len, 6);
		assert_memory_equal(f[1].payload, "hello\n", 6);
		assert_int_equal(f[2].type, FRAME_WINDOW);
		assert_int_equal(frame_window_credit(&f[2]), 4096);
		for (int i = 0; i < got; i++)
			frame_free(&f[i]);
		assert_int_equal(d.rejected, 0);
		frame_decoder_free(&d);
	}
	strbuf_release(&sb);
}

/* Each bad frame is reported once, with its stream, and skipped by its
 * declared length; the good frame after it still decodes. */
static void reject_and_resync(void **state)
{
	(void)state;
	struct {
		uint32_t len, stream;
		uint8_t type, flags;
		const char *why;
		uint32_t bad_stream;
	} bad[] = {
	    {4, 5, 99, 0, "unknown frame type", 5},
	    {PROTO_MAX_DATA + 1, 5, FRAME_DATA, FD_STDOUT, "frame too large", 5},
	    {3, 5, FRAME_WINDOW, FD_STDIN, "malformed WINDOW frame", 5},
	    {8, 5, FRAME_CLOSE, FD_STDIN, "malformed frame", 5},
	    {2, 9, FRAME_REQUEST, 0, "control frame outside stream 0", 9},
	    {2, 0, FRAME_DATA, FD_STDOUT, "stdio frame on stream 0", 0},
	    {2, 4, FRAME_DATA, 7, "bad fd in flags", 4},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		raw_header(&sb, bad[i].len, bad[i].stream, bad[i].type, bad[i].flags);
		for (uint32_t k = 0; k < bad[i].len; k++)
			strbuf_append_len(&sb, "x", 1);
		size_t n;
		unsigned char *fr = frame_build(2, FRAME_DATA, FD_STDOUT, "ok", 2, &n);
		append(&sb, fr, n);

		struct frame_decoder d;
		frame_decoder_init(&d);
		/* fed in two halves: the skip must span the feeds */
		size_t half = sb.len / 2;
		frame_decoder_feed(&d, sb.s, half);
		struct frame f;
		_cleanup_error_ struct kc_error why = {0};
		uint32_t bad_stream = 12345;
		assert_int_equal(frame_decode(&d, &f, &bad_stream, &why), DECODE_REJECTED);
		assert_non_null(strstr(kc_error_msg(&why), bad[i].why));
		assert_int_equal(bad_stream, bad[i].bad_stream);
		assert_int_equal(frame_decode(&d, &f, &bad_stream, &why), DECODE_NONE);
		frame_decoder_feed(&d, sb.s + half, sb.len - half);
		assert_int_equal(frame_decode(&d, &f, &bad_stream, &why), DECODE_FRAME);
		assert_int_equal(f.stream, 2);
		assert_memory_equal(f.payload, "ok", 2);
		frame_free(&f);
		assert_int_equal(frame_decode(&d, &f, NULL, &why), DECODE_NONE);
		assert_int_equal(d.rejected, 1);
		frame_decoder_free(&d);
		strbuf_release(&sb);
	}
}

/* A header claiming gigabytes is rejected at once, without waiting for or
 * buffering the payload. */
static void huge_length_not_buffered(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	raw_header(&sb, 0xfffffff0u, 0, FRAME_REQUEST, 0);
	struct frame_decoder d;
	frame_decoder_init(&d);
	frame_decoder_feed(&d, sb.s, sb.len);
	struct frame f;
	_cleanup_error_ struct kc_error why = {0};
	assert_int_equal(frame_decode(&d, &f, NULL, &why), DECODE_REJECTED);
	assert_non_null(strstr(kc_error_msg(&why), "frame too large"));
	char junk[4096] = {0};
	for (int i = 0; i < 64; i++)
		frame_decoder_feed(&d, junk, sizeof(junk));
	assert_true(byteq_pending(&d.in) == 0);
	assert_true(d.skip > 0);
	frame_decoder_free(&d);
	strbuf_release(&sb);
}

static void truncated_frame_waits(void **state)
{
	(void)state;
	size_t n;
	unsigned char *b = frame_build(1, FRAME_DATA, FD_STDOUT, "abcdef", 6, &n);
	struct frame_decoder d;
	frame_decoder_init(&d);
	frame_decoder_feed(&d, b, n - 1);
	struct frame f;
	_cleanup_error_ struct kc_error why = {0};
	assert_int_equal(frame_decode(&d, &f, NULL, &why), DECODE_NONE);
	frame_decoder_feed(&d, b + n - 1, 1);
	assert_int_equal(frame_decode(&d, &f, NULL, &why), DECODE_FRAME);
	assert_memory_equal(f.payload, "abcdef", 6);
	frame_free(&f);
	free(b);
	frame_decoder_free(&d);
}

static void json_payloads(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error why = {0};
	struct frame f = {.stream = 0, .type = FRAME_REQUEST};
	const char *cases[][2] = {
	    {"{\"id\":1", "malformed JSON in REQUEST frame"},
	    {"[1,2]", "REQUEST frame is not a JSON object"},
	    {"{\"a\":1,\"a\":2}", "malformed JSON"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f.payload = (unsigned char *)cases[i][0];
		f.len = (uint32_t)strlen(cases[i][0]);
		assert_null(frame_json(&f, &why));
		assert_non_null(strstr(kc_error_msg(&why), cases[i][1]));
	}
}

static void hello_versions(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error why = {0};
	json_t *h = json_pack("{s:i}", "version", PROTO_VERSION);
	assert_int_equal(proto_hello_check(h, &why), 0);
	json_object_set_new(h, "version", json_integer(PROTO_VERSION + 1));
	assert_int_equal(proto_hello_check(h, &why), -1);
	assert_non_null(strstr(kc_error_msg(&why), "not supported"));
	json_object_del(h, "version");
	assert_int_equal(proto_hello_check(h, &why), -1);
	assert_non_null(strstr(kc_error_msg(&why), "without a protocol version"));
	json_decref(h);
}

static void write_all_pipe(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write_all(p[1], "abc", 3), 0);
	char b[4] = "";
	assert_int_equal(read(p[0], b, 3), 3);
	assert_string_equal(b, "abc");
	close(p[0]);
	assert_int_equal(write_all(p[1], "abc", 3), -EPIPE);
	close(p[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header_layout),	     cmocka_unit_test(decode_any_chunking),
	    cmocka_unit_test(reject_and_resync),     cmocka_unit_test(huge_length_not_buffered),
	    cmocka_unit_test(truncated_frame_waits), cmocka_unit_test(json_payloads),
	    cmocka_unit_test(hello_versions),	     cmocka_unit_test(write_all_pipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
