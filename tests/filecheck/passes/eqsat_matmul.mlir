// Matrix-chain reassociation and factoring are not IEEE-exact (rounding, overflow and NaN of
// intermediate products change): they run under fast-math flags only.
// RUN: ziggurat-opt %s -p 'eqsat{rules=matmul fast-math=reassoc,nnan,ninf}' | filecheck %s
// RUN: ziggurat-opt %s -p 'eqsat{rules=matmul fast-math=fast cost-model=flops}' | filecheck %s
// RUN: ziggurat-opt %s -p 'eqsat{rules=distributivity fast-math=reassoc,nsz}' | filecheck %s --check-prefix=DIST

// A 10-matrix chain takes its matrix-chain DP optimum order:
// (A0 (A1 A2)) ((((((A3 A4) A5) A6) A7) A8) A9), 28,755,000 multiplications instead of 99,780,000.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    %[[A:.*]] = ztensor.matmul %a1, %a2
// CHECK-NEXT:    %[[B:.*]] = ztensor.matmul %a0, %[[A]]
// CHECK-NEXT:    %[[C:.*]] = ztensor.matmul %a3, %a4
// CHECK-NEXT:    %[[D:.*]] = ztensor.matmul %[[C]], %a5
// CHECK-NEXT:    %[[E:.*]] = ztensor.matmul %[[D]], %a6
// CHECK-NEXT:    %[[F:.*]] = ztensor.matmul %[[E]], %a7
// CHECK-NEXT:    %[[G:.*]] = ztensor.matmul %[[F]], %a8
// CHECK-NEXT:    %[[H:.*]] = ztensor.matmul %[[G]], %a9
// CHECK-NEXT:    %{{.*}} = ztensor.matmul %[[B]], %[[H]]
// CHECK-NEXT:    func.return
func.func @chain(%a0: tensor<300x350xf32>, %a1: tensor<350x150xf32>, %a2: tensor<150x50xf32>, %a3: tensor<50x100xf32>, %a4: tensor<100x200xf32>, %a5: tensor<200x250xf32>, %a6: tensor<250x400xf32>, %a7: tensor<400x120xf32>, %a8: tensor<120x80xf32>, %a9: tensor<80x500xf32>) -> tensor<300x500xf32> {
  %m1 = ztensor.matmul %a0, %a1 : (tensor<300x350xf32>, tensor<350x150xf32>) -> tensor<300x150xf32>
  %m2 = ztensor.matmul %m1, %a2 : (tensor<300x150xf32>, tensor<150x50xf32>) -> tensor<300x50xf32>
  %m3 = ztensor.matmul %m2, %a3 : (tensor<300x50xf32>, tensor<50x100xf32>) -> tensor<300x100xf32>
  %m4 = ztensor.matmul %m3, %a4 : (tensor<300x100xf32>, tensor<100x200xf32>) -> tensor<300x200xf32>
  %m5 = ztensor.matmul %m4, %a5 : (tensor<300x200xf32>, tensor<200x250xf32>) -> tensor<300x250xf32>
  %m6 = ztensor.matmul %m5, %a6 : (tensor<300x250xf32>, tensor<250x400xf32>) -> tensor<300x400xf32>
  %m7 = ztensor.matmul %m6, %a7 : (tensor<300x400xf32>, tensor<400x120xf32>) -> tensor<300x120xf32>
  %m8 = ztensor.matmul %m7, %a8 : (tensor<300x120xf32>, tensor<120x80xf32>) -> tensor<300x80xf32>
  %m9 = ztensor.matmul %m8, %a9 : (tensor<300x80xf32>, tensor<80x500xf32>) -> tensor<300x500xf32>
  func.return %m9 : tensor<300x500xf32>
}


// XY + XZ = X(Y + Z): one matmul instead of two.
// DIST-LABEL: func.func @distribute
// DIST-NEXT:    %[[S:.*]] = ztensor.add %y, %z
// DIST-NEXT:    %{{.*}} = ztensor.matmul %x, %[[S]]
// DIST-NEXT:    func.return
func.func @distribute(%x: tensor<256x256xf32>, %y: tensor<256x256xf32>, %z: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %a = ztensor.matmul %x, %y : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  %b = ztensor.matmul %x, %z : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  %r = ztensor.add %a, %b : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  func.return %r : tensor<256x256xf32>
}
