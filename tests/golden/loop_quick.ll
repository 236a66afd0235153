define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 0
  %p.3 = getelementptr i8, ptr %st, i64 4
  %p.11 = getelementptr i8, ptr %st, i64 36
  %p.45 = getelementptr i8, ptr %st, i64 40
  %p.46 = getelementptr i8, ptr %st, i64 32
  %cp.47 = getelementptr i8, ptr %ctx, i64 56
  %cp.50 = getelementptr i8, ptr %ctx, i64 24
  %tags.51 = load ptr, ptr %cp.50
  %cp.52 = getelementptr i8, ptr %ctx, i64 32
  %fns.53 = load ptr, ptr %cp.52
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
  %r0.2 = load i32, ptr %p.1
  %r1.4 = load i32, ptr %p.3
  %add.5 = add i32 %r0.2, %r1.4
  %dec.6 = sub i32 %r1.4, 1
  %zf.7 = icmp eq i32 %dec.6, 0
  %t.8 = xor i1 %zf.7, true
  br i1 %t.8, label %taken.9, label %fall.10
taken.9:
  store i32 %add.5, ptr %p.1
  store i32 %dec.6, ptr %p.3
  %t.12 = load i32, ptr %p.11
  %t.13 = and i32 %t.12, -2262
  %cf.14 = icmp ult i32 %add.5, %r0.2
  %t.15 = zext i1 %cf.14 to i32
  %t.16 = or i32 %t.13, %t.15
  %t.17 = trunc i32 %dec.6 to i8
  %t.18 = call i8 @llvm.ctpop.i8(i8 %t.17)
  %t.19 = and i8 %t.18, 1
  %pf.20 = icmp eq i8 %t.19, 0
  %t.21 = zext i1 %pf.20 to i32
  %t.22 = shl i32 %t.21, 2
  %t.23 = or i32 %t.16, %t.22
  %t.24 = xor i32 %r1.4, 1
  %t.25 = xor i32 %t.24, %dec.6
  %t.26 = and i32 %t.25, 16
  %af.27 = icmp ne i32 %t.26, 0
  %t.28 = zext i1 %af.27 to i32
  %t.29 = shl i32 %t.28, 4
  %t.30 = or i32 %t.23, %t.29
  %t.31 = zext i1 %zf.7 to i32
  %t.32 = shl i32 %t.31, 6
  %t.33 = or i32 %t.30, %t.32
  %sf.34 = icmp slt i32 %dec.6, 0
  %t.35 = zext i1 %sf.34 to i32
  %t.36 = shl i32 %t.35, 7
  %t.37 = or i32 %t.33, %t.36
  %t.38 = xor i32 %r1.4, 1
  %t.39 = xor i32 %r1.4, %dec.6
  %t.40 = and i32 %t.38, %t.39
  %of.41 = icmp slt i32 %t.40, 0
  %t.42 = zext i1 %of.41 to i32
  %t.43 = shl i32 %t.42, 11
  %t.44 = or i32 %t.37, %t.43
  store i32 %t.44, ptr %p.11
  store i32 0, ptr %p.45
  store i32 4096, ptr %p.46
  %budget.48 = load i64, ptr %cp.47
  %budget.49 = sub i64 %budget.48, 3
  store i64 %budget.49, ptr %cp.47
  %t.54 = getelementptr i32, ptr %tags.51, i64 4096
  %t.55 = load i32, ptr %t.54
  %t.56 = icmp eq i32 %t.55, 4096
  %t.57 = icmp sgt i64 %budget.49, 0
  %t.58 = and i1 %t.56, %t.57
  br i1 %t.58, label %chain.59, label %back.60
chain.59:
  %t.61 = getelementptr i8, ptr %ctx, i64 72
  %t.62 = load i64, ptr %t.61
  %t.63 = add i64 %t.62, 1
  store i64 %t.63, ptr %t.61
  %t.64 = getelementptr i64, ptr %fns.53, i64 4096
  %t.65 = load ptr, ptr %t.64
  %t.66 = musttail call i32 %t.65(ptr %st, ptr %ctx)
  ret i32 %t.66
back.60:
  ret i32 0
fall.10:
  store i32 %add.5, ptr %p.1
  store i32 %dec.6, ptr %p.3
  %t.67 = load i32, ptr %p.11
  %t.68 = and i32 %t.67, -2262
  %cf.69 = icmp ult i32 %add.5, %r0.2
  %t.70 = zext i1 %cf.69 to i32
  %t.71 = or i32 %t.68, %t.70
  %t.72 = trunc i32 %dec.6 to i8
  %t.73 = call i8 @llvm.ctpop.i8(i8 %t.72)
  %t.74 = and i8 %t.73, 1
  %pf.75 = icmp eq i8 %t.74, 0
  %t.76 = zext i1 %pf.75 to i32
  %t.77 = shl i32 %t.76, 2
  %t.78 = or i32 %t.71, %t.77
  %t.79 = xor i32 %r1.4, 1
  %t.80 = xor i32 %t.79, %dec.6
  %t.81 = and i32 %t.80, 16
  %af.82 = icmp ne i32 %t.81, 0
  %t.83 = zext i1 %af.82 to i32
  %t.84 = shl i32 %t.83, 4
  %t.85 = or i32 %t.78, %t.84
  %t.86 = zext i1 %zf.7 to i32
  %t.87 = shl i32 %t.86, 6
  %t.88 = or i32 %t.85, %t.87
  %sf.89 = icmp slt i32 %dec.6, 0
  %t.90 = zext i1 %sf.89 to i32
  %t.91 = shl i32 %t.90, 7
  %t.92 = or i32 %t.88, %t.91
  %t.93 = xor i32 %r1.4, 1
  %t.94 = xor i32 %r1.4, %dec.6
  %t.95 = and i32 %t.93, %t.94
  %of.96 = icmp slt i32 %t.95, 0
  %t.97 = zext i1 %of.96 to i32
  %t.98 = shl i32 %t.97, 11
  %t.99 = or i32 %t.92, %t.98
  store i32 %t.99, ptr %p.11
  store i32 0, ptr %p.45
  store i32 4101, ptr %p.46
  %budget.100 = load i64, ptr %cp.47
  %budget.101 = sub i64 %budget.100, 3
  store i64 %budget.101, ptr %cp.47
  %t.102 = getelementptr i32, ptr %tags.51, i64 4101
  %t.103 = load i32, ptr %t.102
  %t.104 = icmp eq i32 %t.103, 4101
  %t.105 = icmp sgt i64 %budget.101, 0
  %t.106 = and i1 %t.104, %t.105
  br i1 %t.106, label %chain.107, label %back.108
chain.107:
  %t.109 = getelementptr i8, ptr %ctx, i64 72
  %t.110 = load i64, ptr %t.109
  %t.111 = add i64 %t.110, 1
  store i64 %t.111, ptr %t.109
  %t.112 = getelementptr i64, ptr %fns.53, i64 4101
  %t.113 = load ptr, ptr %t.112
  %t.114 = musttail call i32 %t.113(ptr %st, ptr %ctx)
  ret i32 %t.114
back.108:
  ret i32 0
}
