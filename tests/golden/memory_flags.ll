define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 12
  %p.4 = getelementptr i8, ptr %st, i64 108
  %cp.7 = getelementptr i8, ptr %ctx, i64 88
  %read32.8 = load ptr, ptr %cp.7
  %p.12 = getelementptr i8, ptr %st, i64 32
  %p.15 = getelementptr i8, ptr %st, i64 0
  %p.20 = getelementptr i8, ptr %st, i64 4
  %p.25 = getelementptr i8, ptr %st, i64 24
  %p.27 = getelementptr i8, ptr %st, i64 28
  %cp.32 = getelementptr i8, ptr %ctx, i64 112
  %write32.33 = load ptr, ptr %cp.32
  %p.37 = getelementptr i8, ptr %st, i64 40
  %p.38 = getelementptr i8, ptr %st, i64 44
  %p.39 = getelementptr i8, ptr %st, i64 48
  %p.40 = getelementptr i8, ptr %st, i64 52
  %cp.41 = getelementptr i8, ptr %ctx, i64 120
  %p.45 = getelementptr i8, ptr %st, i64 16
  %p.47 = getelementptr i8, ptr %st, i64 92
  %cp.60 = getelementptr i8, ptr %ctx, i64 24
  %tags.61 = load ptr, ptr %cp.60
  %cp.62 = getelementptr i8, ptr %ctx, i64 32
  %fns.63 = load ptr, ptr %cp.62
  %cp.77 = getelementptr i8, ptr %ctx, i64 136
  %counters.p = getelementptr i8, ptr %ctx, i64 48
  %counters = load ptr, ptr %counters.p
  %count.p = getelementptr i32, ptr %counters, i64 0
  %count = load i32, ptr %count.p
  %count1 = add i32 %count, 1
  store i32 %count1, ptr %count.p
  %hot = icmp eq i32 %count1, 200000
  br i1 %hot, label %promote, label %body, !prof !0
promote:
  ret i32 5
body:
  %r3.2 = load i32, ptr %p.1
  %segbase3.5 = load i32, ptr %p.4
  %r0.16 = load i32, ptr %p.15
  %r1.21 = load i32, ptr %p.20
  %r6.26 = load i32, ptr %p.25
  %r7.28 = load i32, ptr %p.27
  %r4.46 = load i32, ptr %p.45
  %segbase2.48 = load i32, ptr %p.47
  %ea.3 = add i32 %r3.2, 4
  %lin.6 = add i32 %segbase3.5, %ea.3
  %t.9 = call i64 %read32.8(ptr %ctx, i32 %lin.6)
  %t.10 = icmp sge i64 %t.9, 0
  br i1 %t.10, label %ok.13, label %side.11, !prof !0
ok.13:
  %m.14 = trunc i64 %t.9 to i32
  %cmp.17 = sub i32 %m.14, %r0.16
  %t.18 = icmp slt i32 %m.14, %r0.16
  %setl.19 = zext i1 %t.18 to i8
  %t.22 = zext i8 %setl.19 to i32
  %t.23 = and i32 %r1.21, -256
  %t.24 = or i32 %t.23, %t.22
  %t.29 = shl i32 %r7.28, 2
  %t.30 = add i32 %r6.26, %t.29
  %lin.31 = add i32 %segbase3.5, %t.30
  %t.34 = call i32 %write32.33(ptr %ctx, i32 %lin.31, i32 %t.24)
  %t.35 = icmp ne i32 %t.34, 0
  br i1 %t.35, label %ok.44, label %side.36, !prof !0
ok.44:
  %lin.49 = add i32 %segbase2.48, %r4.46
  %t.50 = call i64 %read32.8(ptr %ctx, i32 %lin.49)
  %t.51 = icmp sge i64 %t.50, 0
  br i1 %t.51, label %ok.55, label %side.52, !prof !0
ok.55:
  %m.56 = trunc i64 %t.50 to i32
  %esp.57 = add i32 %r4.46, 4
  store i32 %t.24, ptr %p.20
  store i32 %esp.57, ptr %p.45
  store i32 28, ptr %p.37
  store i32 %m.14, ptr %p.38
  store i32 %r0.16, ptr %p.39
  store i32 %cmp.17, ptr %p.40
  store i32 %m.56, ptr %p.12
  %budget.58 = load i64, ptr %cp.41
  %budget.59 = sub i64 %budget.58, 4
  store i64 %budget.59, ptr %cp.41
  %t.64 = lshr i32 %m.56, 14
  %t.65 = xor i32 %m.56, %t.64
  %t.66 = and i32 %t.65, 16383
  %t.67 = zext i32 %t.66 to i64
  %t.68 = getelementptr i32, ptr %tags.61, i64 %t.67
  %t.69 = load i32, ptr %t.68
  %t.70 = icmp eq i32 %t.69, %m.56
  %t.71 = icmp sgt i64 %budget.59, 0
  %t.72 = and i1 %t.70, %t.71
  %t.75 = getelementptr i64, ptr %fns.63, i64 %t.67
  %t.76 = load ptr, ptr %t.75
  %t.78 = load i64, ptr %cp.77
  %t.79 = zext i1 %t.72 to i64
  %t.80 = add i64 %t.78, %t.79
  store i64 %t.80, ptr %cp.77
  br i1 %t.72, label %chain.73, label %back.74
chain.73:
  %t.81 = musttail call i32 %t.76(ptr %st, ptr %ctx)
  ret i32 %t.81
back.74:
  ret i32 0
side.11:
  store i32 4096, ptr %p.12
  ret i32 4
side.36:
  store i32 %t.24, ptr %p.20
  store i32 28, ptr %p.37
  store i32 %m.14, ptr %p.38
  store i32 %r0.16, ptr %p.39
  store i32 %cmp.17, ptr %p.40
  store i32 4102, ptr %p.12
  %budget.42 = load i64, ptr %cp.41
  %budget.43 = sub i64 %budget.42, 2
  store i64 %budget.43, ptr %cp.41
  ret i32 4
side.52:
  store i32 %t.24, ptr %p.20
  store i32 28, ptr %p.37
  store i32 %m.14, ptr %p.38
  store i32 %r0.16, ptr %p.39
  store i32 %cmp.17, ptr %p.40
  store i32 4105, ptr %p.12
  %budget.53 = load i64, ptr %cp.41
  %budget.54 = sub i64 %budget.53, 3
  store i64 %budget.54, ptr %cp.41
  ret i32 4
}
