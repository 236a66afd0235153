define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 0
  %p.3 = getelementptr i8, ptr %st, i64 4
  %p.11 = getelementptr i8, ptr %st, i64 36
  %cp.18 = getelementptr i8, ptr %ctx, i64 56
  %parity.19 = load ptr, ptr %cp.18
  %p.48 = getelementptr i8, ptr %st, i64 40
  %p.49 = getelementptr i8, ptr %st, i64 32
  %cp.50 = getelementptr i8, ptr %ctx, i64 120
  %cp.53 = getelementptr i8, ptr %ctx, i64 24
  %tags.54 = load ptr, ptr %cp.53
  %cp.55 = getelementptr i8, ptr %ctx, i64 32
  %fns.56 = load ptr, ptr %cp.55
  %cp.66 = getelementptr i8, ptr %ctx, i64 136
  %flatv.p = getelementptr i8, ptr %ctx, i64 320
  %flatv = load i32, ptr %flatv.p
  %flatv.need = and i32 %flatv, 2
  %flatv.ok = icmp eq i32 %flatv.need, 2
  br i1 %flatv.ok, label %flat.ok, label %flat.check, !prof !0
flat.check:
  %flatcs.lp = getelementptr i8, ptr %st, i64 80
  %flatcs.limit = load i32, ptr %flatcs.lp
  %flatcs = icmp eq i32 %flatcs.limit, -1
  br i1 %flatcs, label %flat.mark, label %flat.no, !prof !0
flat.mark:
  %flatv.new = or i32 %flatv, 2
  store i32 %flatv.new, ptr %flatv.p
  br label %flat.ok
flat.no:
  ret i32 6
flat.ok:
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
  %t.20 = zext i8 %t.17 to i64
  %t.21 = getelementptr i8, ptr %parity.19, i64 %t.20
  %t.22 = load i8, ptr %t.21
  %pf.23 = icmp ne i8 %t.22, 0
  %t.24 = zext i1 %pf.23 to i32
  %t.25 = shl i32 %t.24, 2
  %t.26 = or i32 %t.16, %t.25
  %t.27 = xor i32 %r1.4, 1
  %t.28 = xor i32 %t.27, %dec.6
  %t.29 = and i32 %t.28, 16
  %af.30 = icmp ne i32 %t.29, 0
  %t.31 = zext i1 %af.30 to i32
  %t.32 = shl i32 %t.31, 4
  %t.33 = or i32 %t.26, %t.32
  %t.34 = zext i1 %zf.7 to i32
  %t.35 = shl i32 %t.34, 6
  %t.36 = or i32 %t.33, %t.35
  %sf.37 = icmp slt i32 %dec.6, 0
  %t.38 = zext i1 %sf.37 to i32
  %t.39 = shl i32 %t.38, 7
  %t.40 = or i32 %t.36, %t.39
  %t.41 = xor i32 %r1.4, 1
  %t.42 = xor i32 %r1.4, %dec.6
  %t.43 = and i32 %t.41, %t.42
  %of.44 = icmp slt i32 %t.43, 0
  %t.45 = zext i1 %of.44 to i32
  %t.46 = shl i32 %t.45, 11
  %t.47 = or i32 %t.40, %t.46
  store i32 %t.47, ptr %p.11
  store i32 0, ptr %p.48
  store i32 4096, ptr %p.49
  %budget.51 = load i64, ptr %cp.50
  %budget.52 = sub i64 %budget.51, 3
  store i64 %budget.52, ptr %cp.50
  %t.57 = getelementptr i32, ptr %tags.54, i64 4096
  %t.58 = load i32, ptr %t.57
  %t.59 = icmp eq i32 %t.58, 4096
  %t.60 = icmp sgt i64 %budget.52, 0
  %t.61 = and i1 %t.59, %t.60
  %t.64 = getelementptr i64, ptr %fns.56, i64 4096
  %t.65 = load ptr, ptr %t.64
  %t.67 = load i64, ptr %cp.66
  %t.68 = zext i1 %t.61 to i64
  %t.69 = add i64 %t.67, %t.68
  store i64 %t.69, ptr %cp.66
  br i1 %t.61, label %chain.62, label %back.63
chain.62:
  %t.70 = musttail call i32 %t.65(ptr %st, ptr %ctx)
  ret i32 %t.70
back.63:
  ret i32 0
fall.10:
  store i32 %add.5, ptr %p.1
  store i32 %dec.6, ptr %p.3
  %t.71 = load i32, ptr %p.11
  %t.72 = and i32 %t.71, -2262
  %cf.73 = icmp ult i32 %add.5, %r0.2
  %t.74 = zext i1 %cf.73 to i32
  %t.75 = or i32 %t.72, %t.74
  %t.76 = trunc i32 %dec.6 to i8
  %t.77 = zext i8 %t.76 to i64
  %t.78 = getelementptr i8, ptr %parity.19, i64 %t.77
  %t.79 = load i8, ptr %t.78
  %pf.80 = icmp ne i8 %t.79, 0
  %t.81 = zext i1 %pf.80 to i32
  %t.82 = shl i32 %t.81, 2
  %t.83 = or i32 %t.75, %t.82
  %t.84 = xor i32 %r1.4, 1
  %t.85 = xor i32 %t.84, %dec.6
  %t.86 = and i32 %t.85, 16
  %af.87 = icmp ne i32 %t.86, 0
  %t.88 = zext i1 %af.87 to i32
  %t.89 = shl i32 %t.88, 4
  %t.90 = or i32 %t.83, %t.89
  %t.91 = zext i1 %zf.7 to i32
  %t.92 = shl i32 %t.91, 6
  %t.93 = or i32 %t.90, %t.92
  %sf.94 = icmp slt i32 %dec.6, 0
  %t.95 = zext i1 %sf.94 to i32
  %t.96 = shl i32 %t.95, 7
  %t.97 = or i32 %t.93, %t.96
  %t.98 = xor i32 %r1.4, 1
  %t.99 = xor i32 %r1.4, %dec.6
  %t.100 = and i32 %t.98, %t.99
  %of.101 = icmp slt i32 %t.100, 0
  %t.102 = zext i1 %of.101 to i32
  %t.103 = shl i32 %t.102, 11
  %t.104 = or i32 %t.97, %t.103
  store i32 %t.104, ptr %p.11
  store i32 0, ptr %p.48
  store i32 4101, ptr %p.49
  %budget.105 = load i64, ptr %cp.50
  %budget.106 = sub i64 %budget.105, 3
  store i64 %budget.106, ptr %cp.50
  %t.107 = getelementptr i32, ptr %tags.54, i64 4101
  %t.108 = load i32, ptr %t.107
  %t.109 = icmp eq i32 %t.108, 4101
  %t.110 = icmp sgt i64 %budget.106, 0
  %t.111 = and i1 %t.109, %t.110
  %t.114 = getelementptr i64, ptr %fns.56, i64 4101
  %t.115 = load ptr, ptr %t.114
  %t.116 = load i64, ptr %cp.66
  %t.117 = zext i1 %t.111 to i64
  %t.118 = add i64 %t.116, %t.117
  store i64 %t.118, ptr %cp.66
  br i1 %t.111, label %chain.112, label %back.113
chain.112:
  %t.119 = musttail call i32 %t.115(ptr %st, ptr %ctx)
  ret i32 %t.119
back.113:
  ret i32 0
}
