// Binary input is rejected with a located error, not a UnicodeDecodeError traceback.
// RUN: printf '\x89PNG\r\n\x1a\n\x00\xff\xfe' > %t.png
// RUN: not ziggurat-opt %t.png 2>&1 | filecheck %s --check-prefix=PNG
// PNG-NOT: Traceback
// PNG: .png:1:1: error: input is not valid UTF-8 text (byte 0x89 at offset 0); is this a binary file?

// RUN: printf 'func.func @f() {\n  \x00\x01\x02 }\n' > %t.nul
// RUN: not ziggurat-opt %t.nul 2>&1 | filecheck %s --check-prefix=NUL
// NUL-NOT: Traceback
// NUL: .nul:2:3: error: input contains a NUL character; is this a binary file?

// Valid UTF-8 that is not MLIR: a located parse error.
// RUN: printf 'GIF89a\x01\x02 %%%% \xc3\xa9\xc3\xa9 ]]]\n' > %t.txt
// RUN: not ziggurat-opt %t.txt 2>&1 | filecheck %s --check-prefix=TEXT
// TEXT-NOT: Traceback
// TEXT: .txt:1:7: error: Unexpected character: \x01
