/* ossl-stubs.S: libssl and libcrypto opened at their first use, not at
 * start (src/ossl-lazy.c says why).  Each OpenSSL function the program
 * calls is a stub here that jumps through its slot; a slot first holds
 * its "first call" entry, which saves the argument registers, has
 * ossl_lazy_open() fill every slot from the library, restores them and
 * goes on to the real function, so the caller never knows.  x86-64
 * System V only (configure uses it there; elsewhere the program links
 * the libraries as usual). */
	.section .note.GNU-stack, "", @progbits

/* name: the stub; ossl_first_name: its first call, with the slot's
 * address in r11 (neither an argument nor a callee-saved register);
 * ossl_slot_name: the slot, local to the program. */
#define OSSL_LAZY_SYM(name) \
	.text; .globl name; .type name, @function; .p2align 4; \
name: jmp *ossl_slot_##name(%rip); \
	.size name, .-name; \
ossl_first_##name: lea ossl_slot_##name(%rip), %r11; jmp ossl_lazy_enter; \
	.data; .p2align 3; .globl ossl_slot_##name; .hidden ossl_slot_##name; \
ossl_slot_##name: .quad ossl_first_##name;

#include "ossl-lazy-private.h"

	.text
	.p2align 4
	.type ossl_lazy_enter, @function
/* Entered by a jump from a first-call entry: the stack as the caller's
 * call left it (8 mod 16).  Saves what a C call may change and the
 * arguments may be in (rdi, rsi, rdx, rcx, r8, r9; al for a variadic
 * call; xmm0-7), calls ossl_lazy_open, and jumps to the filled slot. */
ossl_lazy_enter:
	push %rbp
	mov %rsp, %rbp
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %r8
	push %r9
	push %rax
	push %r11
	sub $128, %rsp
	movdqu %xmm0, 0(%rsp)
	movdqu %xmm1, 16(%rsp)
	movdqu %xmm2, 32(%rsp)
	movdqu %xmm3, 48(%rsp)
	movdqu %xmm4, 64(%rsp)
	movdqu %xmm5, 80(%rsp)
	movdqu %xmm6, 96(%rsp)
	movdqu %xmm7, 112(%rsp)
	call ossl_lazy_open
	movdqu 0(%rsp), %xmm0
	movdqu 16(%rsp), %xmm1
	movdqu 32(%rsp), %xmm2
	movdqu 48(%rsp), %xmm3
	movdqu 64(%rsp), %xmm4
	movdqu 80(%rsp), %xmm5
	movdqu 96(%rsp), %xmm6
	movdqu 112(%rsp), %xmm7
	add $128, %rsp
	pop %r11
	pop %rax
	pop %r9
	pop %r8
	pop %rcx
	pop %rdx
	pop %rsi
	pop %rdi
	pop %rbp
	jmp *(%r11)
	.size ossl_lazy_enter, .-ossl_lazy_enter
