/* libFuzzer target: any byte stream fed to the frame decoder, in any
 * chunking, yields frames or rejections - never a crash, a leak or a loop
 * that takes no bytes. The first input byte picks the chunk size. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	size_t chunk = (size_t)data[0] + 1;
	data++;
	size--;

	struct frame_decoder d;
	frame_decoder_init(&d);
	_cleanup_error_ struct kc_error why = {0};
	for (size_t off = 0; off < size; off += chunk) {
		size_t take = size - off < chunk ? size - off : chunk;
		frame_decoder_feed(&d, data + off, take);
		for (;;) {
			struct frame f;
			uint32_t bad;
			enum decode_result r = frame_decode(&d, &f, &bad, &why);
			if (r == DECODE_NONE)
				break;
			if (r == DECODE_FRAME) {
				if (f.type != FRAME_DATA && f.type != FRAME_CLOSE &&
				    f.type != FRAME_WINDOW) {
					json_t *j = frame_json(&f, &why);
					if (j && f.type == FRAME_HELLO)
						(void)proto_hello_check(j, &why);
					json_decref(j);
				} else if (f.type == FRAME_WINDOW) {
					(void)frame_window_credit(&f);
				}
				frame_free(&f);
			}
		}
	}
	frame_decoder_free(&d);
	return 0;
}
