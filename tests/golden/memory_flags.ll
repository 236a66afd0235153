define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 12
  %p.4 = getelementptr i8, ptr %st, i64 108
  %cp.7 = getelementptr i8, ptr %ctx, i64 8
  %shadow_read.8 = load ptr, ptr %cp.7
  %cp.9 = getelementptr i8, ptr %ctx, i64 0
  %ram.10 = load ptr, ptr %cp.9
  %p.21 = getelementptr i8, ptr %st, i64 32
  %p.28 = getelementptr i8, ptr %st, i64 0
  %p.33 = getelementptr i8, ptr %st, i64 4
  %p.38 = getelementptr i8, ptr %st, i64 24
  %p.40 = getelementptr i8, ptr %st, i64 28
  %cp.45 = getelementptr i8, ptr %ctx, i64 16
  %shadow_write.46 = load ptr, ptr %cp.45
  %p.61 = getelementptr i8, ptr %st, i64 16
  %p.63 = getelementptr i8, ptr %st, i64 92
  %p.76 = getelementptr i8, ptr %st, i64 40
  %p.77 = getelementptr i8, ptr %st, i64 44
  %p.78 = getelementptr i8, ptr %st, i64 48
  %p.79 = getelementptr i8, ptr %st, i64 52
  %cp.80 = getelementptr i8, ptr %ctx, i64 56
  %cp.92 = getelementptr i8, ptr %ctx, i64 24
  %tags.93 = load ptr, ptr %cp.92
  %cp.94 = getelementptr i8, ptr %ctx, i64 32
  %fns.95 = load ptr, ptr %cp.94
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
  %r0.29 = load i32, ptr %p.28
  %r1.34 = load i32, ptr %p.33
  %r6.39 = load i32, ptr %p.38
  %r7.41 = load i32, ptr %p.40
  %r4.62 = load i32, ptr %p.61
  %segbase2.64 = load i32, ptr %p.63
  %ea.3 = add i32 %r3.2, 4
  %lin.6 = add i32 %segbase3.5, %ea.3
  %t.11 = lshr i32 %lin.6, 12
  %t.12 = zext i32 %t.11 to i64
  %t.13 = getelementptr i32, ptr %shadow_read.8, i64 %t.12
  %pte.14 = load i32, ptr %t.13
  %t.15 = and i32 %lin.6, 4095
  %t.16 = and i32 %pte.14, 1
  %t.17 = icmp ule i32 %t.15, 4092
  %t.18 = icmp ne i32 %t.16, 0
  %t.19 = and i1 %t.17, %t.18
  br i1 %t.19, label %ok.22, label %side.20, !prof !0
ok.22:
  %t.23 = and i32 %pte.14, -4096
  %gpa.24 = or i32 %t.23, %t.15
  %t.25 = zext i32 %gpa.24 to i64
  %hva.26 = getelementptr i8, ptr %ram.10, i64 %t.25
  %m.27 = load i32, ptr %hva.26, align 1
  %cmp.30 = sub i32 %m.27, %r0.29
  %t.31 = icmp slt i32 %m.27, %r0.29
  %setl.32 = zext i1 %t.31 to i8
  %t.35 = zext i8 %setl.32 to i32
  %t.36 = and i32 %r1.34, -256
  %t.37 = or i32 %t.36, %t.35
  %t.42 = shl i32 %r7.41, 2
  %t.43 = add i32 %r6.39, %t.42
  %lin.44 = add i32 %segbase3.5, %t.43
  %t.47 = lshr i32 %lin.44, 12
  %t.48 = zext i32 %t.47 to i64
  %t.49 = getelementptr i32, ptr %shadow_write.46, i64 %t.48
  %pte.50 = load i32, ptr %t.49
  %t.51 = and i32 %lin.44, 4095
  %t.52 = and i32 %pte.50, 1
  %t.53 = icmp ule i32 %t.51, 4092
  %t.54 = icmp ne i32 %t.52, 0
  %t.55 = and i1 %t.53, %t.54
  br i1 %t.55, label %ok.56, label %side.20, !prof !0
ok.56:
  %t.57 = and i32 %pte.50, -4096
  %gpa.58 = or i32 %t.57, %t.51
  %t.59 = zext i32 %gpa.58 to i64
  %hva.60 = getelementptr i8, ptr %ram.10, i64 %t.59
  store i32 %t.37, ptr %hva.60, align 1
  %lin.65 = add i32 %segbase2.64, %r4.62
  %t.66 = lshr i32 %lin.65, 12
  %t.67 = zext i32 %t.66 to i64
  %t.68 = getelementptr i32, ptr %shadow_read.8, i64 %t.67
  %pte.69 = load i32, ptr %t.68
  %t.70 = and i32 %lin.65, 4095
  %t.71 = and i32 %pte.69, 1
  %t.72 = icmp ule i32 %t.70, 4092
  %t.73 = icmp ne i32 %t.71, 0
  %t.74 = and i1 %t.72, %t.73
  br i1 %t.74, label %ok.83, label %side.75, !prof !0
ok.83:
  %t.84 = and i32 %pte.69, -4096
  %gpa.85 = or i32 %t.84, %t.70
  %t.86 = zext i32 %gpa.85 to i64
  %hva.87 = getelementptr i8, ptr %ram.10, i64 %t.86
  %m.88 = load i32, ptr %hva.87, align 1
  %esp.89 = add i32 %r4.62, 4
  store i32 %t.37, ptr %p.33
  store i32 %esp.89, ptr %p.61
  store i32 28, ptr %p.76
  store i32 %m.27, ptr %p.77
  store i32 %r0.29, ptr %p.78
  store i32 %cmp.30, ptr %p.79
  store i32 %m.88, ptr %p.21
  %budget.90 = load i64, ptr %cp.80
  %budget.91 = sub i64 %budget.90, 4
  store i64 %budget.91, ptr %cp.80
  %t.96 = lshr i32 %m.88, 14
  %t.97 = xor i32 %m.88, %t.96
  %t.98 = and i32 %t.97, 16383
  %t.99 = zext i32 %t.98 to i64
  %t.100 = getelementptr i32, ptr %tags.93, i64 %t.99
  %t.101 = load i32, ptr %t.100
  %t.102 = icmp eq i32 %t.101, %m.88
  %t.103 = icmp sgt i64 %budget.91, 0
  %t.104 = and i1 %t.102, %t.103
  br i1 %t.104, label %chain.105, label %back.106
chain.105:
  %t.107 = getelementptr i8, ptr %ctx, i64 72
  %t.108 = load i64, ptr %t.107
  %t.109 = add i64 %t.108, 1
  store i64 %t.109, ptr %t.107
  %t.110 = getelementptr i64, ptr %fns.95, i64 %t.99
  %t.111 = load ptr, ptr %t.110
  %t.112 = musttail call i32 %t.111(ptr %st, ptr %ctx)
  ret i32 %t.112
back.106:
  ret i32 0
side.20:
  store i32 4096, ptr %p.21
  ret i32 4
side.75:
  store i32 %t.37, ptr %p.33
  store i32 28, ptr %p.76
  store i32 %m.27, ptr %p.77
  store i32 %r0.29, ptr %p.78
  store i32 %cmp.30, ptr %p.79
  store i32 4105, ptr %p.21
  %budget.81 = load i64, ptr %cp.80
  %budget.82 = sub i64 %budget.81, 3
  store i64 %budget.82, ptr %cp.80
  ret i32 4
}
