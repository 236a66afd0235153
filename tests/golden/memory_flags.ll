@count.tb_00001000_0 = internal global i32 0
define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 12
  %p.4 = getelementptr i8, ptr %st, i64 108
  %cp.7 = getelementptr i8, ptr %ctx, i64 8
  %shadow_read.8 = load ptr, ptr %cp.7
  %cp.9 = getelementptr i8, ptr %ctx, i64 0
  %ram.10 = load ptr, ptr %cp.9
  %p.22 = getelementptr i8, ptr %st, i64 32
  %p.28 = getelementptr i8, ptr %st, i64 0
  %p.33 = getelementptr i8, ptr %st, i64 4
  %p.38 = getelementptr i8, ptr %st, i64 24
  %p.40 = getelementptr i8, ptr %st, i64 28
  %cp.45 = getelementptr i8, ptr %ctx, i64 16
  %shadow_write.46 = load ptr, ptr %cp.45
  %p.58 = getelementptr i8, ptr %st, i64 40
  %p.59 = getelementptr i8, ptr %st, i64 44
  %p.60 = getelementptr i8, ptr %st, i64 48
  %p.61 = getelementptr i8, ptr %st, i64 52
  %cp.62 = getelementptr i8, ptr %ctx, i64 48
  %p.69 = getelementptr i8, ptr %st, i64 16
  %p.71 = getelementptr i8, ptr %st, i64 92
  %cp.95 = getelementptr i8, ptr %ctx, i64 24
  %tags.96 = load ptr, ptr %cp.95
  %cp.97 = getelementptr i8, ptr %ctx, i64 32
  %fns.98 = load ptr, ptr %cp.97
  %count = load i32, ptr @count.tb_00001000_0
  %count1 = add i32 %count, 1
  store i32 %count1, ptr @count.tb_00001000_0
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
  %r4.70 = load i32, ptr %p.69
  %segbase2.72 = load i32, ptr %p.71
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
  br i1 %t.19, label %ok.20, label %side.21, !prof !0
ok.20:
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
  br i1 %t.55, label %ok.56, label %side.57, !prof !0
ok.56:
  %t.65 = and i32 %pte.50, -4096
  %gpa.66 = or i32 %t.65, %t.51
  %t.67 = zext i32 %gpa.66 to i64
  %hva.68 = getelementptr i8, ptr %ram.10, i64 %t.67
  store i32 %t.37, ptr %hva.68, align 1
  %lin.73 = add i32 %segbase2.72, %r4.70
  %t.74 = lshr i32 %lin.73, 12
  %t.75 = zext i32 %t.74 to i64
  %t.76 = getelementptr i32, ptr %shadow_read.8, i64 %t.75
  %pte.77 = load i32, ptr %t.76
  %t.78 = and i32 %lin.73, 4095
  %t.79 = and i32 %pte.77, 1
  %t.80 = icmp ule i32 %t.78, 4092
  %t.81 = icmp ne i32 %t.79, 0
  %t.82 = and i1 %t.80, %t.81
  br i1 %t.82, label %ok.83, label %side.84, !prof !0
ok.83:
  %t.87 = and i32 %pte.77, -4096
  %gpa.88 = or i32 %t.87, %t.78
  %t.89 = zext i32 %gpa.88 to i64
  %hva.90 = getelementptr i8, ptr %ram.10, i64 %t.89
  %m.91 = load i32, ptr %hva.90, align 1
  %esp.92 = add i32 %r4.70, 4
  store i32 %t.37, ptr %p.33
  store i32 %esp.92, ptr %p.69
  store i32 28, ptr %p.58
  store i32 %m.27, ptr %p.59
  store i32 %r0.29, ptr %p.60
  store i32 %cmp.30, ptr %p.61
  store i32 %m.91, ptr %p.22
  %budget.93 = load i64, ptr %cp.62
  %budget.94 = sub i64 %budget.93, 4
  store i64 %budget.94, ptr %cp.62
  %t.99 = lshr i32 %m.91, 14
  %t.100 = xor i32 %m.91, %t.99
  %t.101 = and i32 %t.100, 16383
  %t.102 = zext i32 %t.101 to i64
  %t.103 = getelementptr i32, ptr %tags.96, i64 %t.102
  %t.104 = load i32, ptr %t.103
  %t.105 = icmp eq i32 %t.104, %m.91
  %t.106 = icmp sgt i64 %budget.94, 0
  %t.107 = and i1 %t.105, %t.106
  br i1 %t.107, label %chain.108, label %back.109
chain.108:
  %t.110 = getelementptr i8, ptr %ctx, i64 64
  %t.111 = load i64, ptr %t.110
  %t.112 = add i64 %t.111, 1
  store i64 %t.112, ptr %t.110
  %t.113 = getelementptr i64, ptr %fns.98, i64 %t.102
  %t.114 = load ptr, ptr %t.113
  %t.115 = musttail call i32 %t.114(ptr %st, ptr %ctx)
  ret i32 %t.115
back.109:
  ret i32 0
side.21:
  store i32 4096, ptr %p.22
  ret i32 4
side.57:
  store i32 %t.37, ptr %p.33
  store i32 28, ptr %p.58
  store i32 %m.27, ptr %p.59
  store i32 %r0.29, ptr %p.60
  store i32 %cmp.30, ptr %p.61
  store i32 4102, ptr %p.22
  %budget.63 = load i64, ptr %cp.62
  %budget.64 = sub i64 %budget.63, 2
  store i64 %budget.64, ptr %cp.62
  ret i32 4
side.84:
  store i32 %t.37, ptr %p.33
  store i32 28, ptr %p.58
  store i32 %m.27, ptr %p.59
  store i32 %r0.29, ptr %p.60
  store i32 %cmp.30, ptr %p.61
  store i32 4105, ptr %p.22
  %budget.85 = load i64, ptr %cp.62
  %budget.86 = sub i64 %budget.85, 3
  store i64 %budget.86, ptr %cp.62
  ret i32 4
}
