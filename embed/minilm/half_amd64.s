#include "textflag.h"

// func halfToFloatF16C(dst *float32, src *byte, n int) (bad bool)
//
// Widens n fp16 values (n a multiple of 8, little-endian at src) to float32
// at dst, and reports whether any was an infinity or NaN (exponent all ones).
TEXT ·halfToFloatF16C(SB), NOSPLIT, $0-25
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VPXOR X3, X3, X3
	MOVQ $0x7c007c00, AX
	MOVQ AX, X2
	VPBROADCASTD X2, X2
	SHRQ $3, CX
	TESTQ CX, CX
	JZ   done

loop:
	VMOVDQU (SI), X0
	VPAND   X2, X0, X1
	VPCMPEQW X2, X1, X1
	VPOR    X1, X3, X3
	VCVTPH2PS X0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop

done:
	VPTEST X3, X3
	SETNE bad+24(FP)
	VZEROUPPER
	RET
