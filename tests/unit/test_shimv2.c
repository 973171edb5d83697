/* The shim v2's task service without a VM: request decoding (a method the
 * service does not have, bytes that are not its request, ids that cannot
 * be), the process table's transitions, and the answers for processes it
 * does not hold. Codes are gRPC's, which containerd maps to its errdefs. */
#include "test.h"

#include <errno.h>

#include "github.com/containerd/containerd/runtime/v2/task/shim.pb-c.h"
#include "shimv2.h"

enum { OK = 0, INVALID = 3, NOT_FOUND = 5, EXISTS = 6, UNIMPLEMENTED = 12 };

static struct v2shim *new_shim(void)
{
	struct v2shim *s = calloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	s->rt.root = "/nonexistent/kc-test-shimv2";
	return s;
}

static void free_shim(struct v2shim *s)
{
	while (s->procs)
		v2_proc_remove(s, s->procs);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->changed);
	free(s);
}

/* Pack a request, call the method, return its code; err has the message. */
static int call(struct v2shim *s, const char *method, const ProtobufCMessage *req,
		struct kc_error *err, uint8_t **out, size_t *out_len)
{
	size_t n = protobuf_c_message_get_packed_size(req);
	uint8_t *in = malloc(n ? n : 1);
	protobuf_c_message_pack(req, in);
	int code = v2_task_call(s, method, in, n, out, out_len, err);
	free(in);
	return code;
}

static void unknown_method_and_garbage_are_refused(void **state)
{
	(void)state;
	struct v2shim *s = new_shim();
	_cleanup_error_ struct kc_error err = {0};
	uint8_t *out = NULL;
	size_t out_len = 0;
	assert_int_equal(v2_task_call(s, "Frobnicate", NULL, 0, &out, &out_len, &err),
			 UNIMPLEMENTED);
	assert_non_null(strstr(kc_error_msg(&err), "Frobnicate"));
	/* a field tag of 0 is never valid protobuf */
	static const uint8_t garbage[] = {0x00, 0x01, 0xff, 0xff, 0xff};
	kc_error_clear(&err);
	assert_int_equal(v2_task_call(s, "Create", garbage, sizeof(garbage), &out, &out_len, &err),
			 INVALID);
	assert_non_null(strstr(kc_error_msg(&err), "Create"));
	assert_null(out);
	free_shim(s);
}

static void create_refuses_bad_ids_and_taken_ones(void **state)
{
	(void)state;
	struct v2shim *s = new_shim();
	_cleanup_error_ struct kc_error err = {0};
	uint8_t *out = NULL;
	size_t out_len = 0;
	Containerd__Task__V2__CreateTaskRequest r = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
	r.id = (char *)"../escape";
	r.bundle = (char *)"/nonexistent";
	assert_int_equal(call(s, "Create", &r.base, &err, &out, &out_len), INVALID);
	assert_non_null(strstr(kc_error_msg(&err), "../escape"));
	/* an id the table holds is taken, before anything is made */
	assert_non_null(v2_proc_add(s, "c1", NULL));
	r.id = (char *)"c1";
	kc_error_clear(&err);
	assert_int_equal(call(s, "Create", &r.base, &err, &out, &out_len), EXISTS);
	free_shim(s);
}

static void unknown_processes_are_not_found(void **state)
{
	(void)state;
	struct v2shim *s = new_shim();
	_cleanup_error_ struct kc_error err = {0};
	uint8_t *out = NULL;
	size_t out_len = 0;
	Containerd__Task__V2__StateRequest st = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	st.id = (char *)"nope";
	assert_int_equal(call(s, "State", &st.base, &err, &out, &out_len), NOT_FOUND);
	assert_non_null(strstr(kc_error_msg(&err), "nope"));
	Containerd__Task__V2__KillRequest k = CONTAINERD__TASK__V2__KILL_REQUEST__INIT;
	k.id = (char *)"nope";
	k.signal = 9;
	kc_error_clear(&err);
	assert_int_equal(call(s, "Kill", &k.base, &err, &out, &out_len), NOT_FOUND);
	Containerd__Task__V2__WaitRequest w = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
	w.id = (char *)"nope";
	kc_error_clear(&err);
	assert_int_equal(call(s, "Wait", &w.base, &err, &out, &out_len), NOT_FOUND);
	/* an exec of a container the table holds, when the exec is not */
	assert_non_null(v2_proc_add(s, "c1", NULL));
	st.id = (char *)"c1";
	st.exec_id = (char *)"e1";
	kc_error_clear(&err);
	assert_int_equal(call(s, "State", &st.base, &err, &out, &out_len), NOT_FOUND);
	assert_non_null(strstr(kc_error_msg(&err), "e1"));
	free_shim(s);
}

static void table_and_stopped_states(void **state)
{
	(void)state;
	struct v2shim *s = new_shim();
	_cleanup_error_ struct kc_error err = {0};
	struct v2proc *c = v2_proc_add(s, "c1", NULL);
	struct v2proc *e = v2_proc_add(s, "c1", "e1");
	assert_ptr_equal(v2_proc_find(s, "c1", NULL), c);
	assert_ptr_equal(v2_proc_find(s, "c1", "e1"), e);
	assert_null(v2_proc_find(s, "c1", "e2"));
	assert_int_equal(c->status, V2_CREATED);

	/* a stopped process answers Wait and State at once, with its status */
	e->status = V2_STOPPED;
	e->exit_status = 7;
	uint8_t *out = NULL;
	size_t out_len = 0;
	Containerd__Task__V2__WaitRequest w = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
	w.id = (char *)"c1";
	w.exec_id = (char *)"e1";
	assert_int_equal(call(s, "Wait", &w.base, &err, &out, &out_len), OK);
	Containerd__Task__V2__WaitResponse *wr =
	    containerd__task__v2__wait_response__unpack(NULL, out_len, out);
	assert_non_null(wr);
	assert_int_equal(wr->exit_status, 7);
	containerd__task__v2__wait_response__free_unpacked(wr, NULL);
	free(out);
	Containerd__Task__V2__StateRequest st = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
	st.id = (char *)"c1";
	st.exec_id = (char *)"e1";
	assert_int_equal(call(s, "State", &st.base, &err, &out, &out_len), OK);
	Containerd__Task__V2__StateResponse *sr =
	    containerd__task__v2__state_response__unpack(NULL, out_len, out);
	assert_non_null(sr);
	assert_int_equal(sr->status, CONTAINERD__V1__TYPES__STATUS__STOPPED);
	assert_int_equal(sr->exit_status, 7);
	assert_string_equal(sr->exec_id, "e1");
	containerd__task__v2__state_response__free_unpacked(sr, NULL);
	free(out);

	v2_proc_remove(s, e);
	assert_null(v2_proc_find(s, "c1", "e1"));
	assert_ptr_equal(v2_proc_find(s, "c1", NULL), c);
	free_shim(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unknown_method_and_garbage_are_refused),
	    cmocka_unit_test(create_refuses_bad_ids_and_taken_ones),
	    cmocka_unit_test(unknown_processes_are_not_found),
	    cmocka_unit_test(table_and_stopped_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
