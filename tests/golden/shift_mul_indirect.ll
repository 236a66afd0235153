define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 20
  %p.3 = getelementptr i8, ptr %st, i64 16
  %p.6 = getelementptr i8, ptr %st, i64 92
  %cp.9 = getelementptr i8, ptr %ctx, i64 112
  %write32.10 = load ptr, ptr %cp.9
  %p.14 = getelementptr i8, ptr %st, i64 32
  %p.16 = getelementptr i8, ptr %st, i64 4
  %p.21 = getelementptr i8, ptr %st, i64 0
  %cp.37 = getelementptr i8, ptr %ctx, i64 40
  %materialize.38 = load ptr, ptr %cp.37
  %cp.53 = getelementptr i8, ptr %ctx, i64 56
  %parity.54 = load ptr, ptr %cp.53
  %cp.74 = getelementptr i8, ptr %ctx, i64 88
  %read32.75 = load ptr, ptr %cp.74
  %p.79 = getelementptr i8, ptr %st, i64 8
  %p.80 = getelementptr i8, ptr %st, i64 36
  %p.107 = getelementptr i8, ptr %st, i64 40
  %cp.108 = getelementptr i8, ptr %ctx, i64 120
  %cp.142 = getelementptr i8, ptr %ctx, i64 24
  %tags.143 = load ptr, ptr %cp.142
  %cp.144 = getelementptr i8, ptr %ctx, i64 32
  %fns.145 = load ptr, ptr %cp.144
  %cp.159 = getelementptr i8, ptr %ctx, i64 136
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
  %r5.2 = load i32, ptr %p.1
  %r4.4 = load i32, ptr %p.3
  %segbase2.7 = load i32, ptr %p.6
  %r1.17 = load i32, ptr %p.16
  %r0.22 = load i32, ptr %p.21
  %eflags0.39 = call i32 %materialize.38(ptr %st)
  %esp.5 = sub i32 %r4.4, 4
  %lin.8 = add i32 %segbase2.7, %esp.5
  %t.11 = call i32 %write32.10(ptr %ctx, i32 %lin.8, i32 %r5.2)
  %t.12 = icmp ne i32 %t.11, 0
  br i1 %t.12, label %ok.15, label %side.13, !prof !0
ok.15:
  %t.18 = trunc i32 %r1.17 to i8
  %t.19 = zext i8 %t.18 to i32
  %cnt.20 = and i32 %t.19, 31
  %t.23 = add i32 %cnt.20, 31
  %t.24 = and i32 %t.23, 31
  %t.25 = zext i32 %t.24 to i64
  %t.26 = zext i32 %r0.22 to i64
  %t.27 = shl i64 %t.26, %t.25
  %t.28 = shl i64 %t.27, 1
  %t.29 = trunc i64 %t.28 to i32
  %t.30 = lshr i64 %t.27, 31
  %t.31 = trunc i64 %t.30 to i1
  %t.32 = lshr i64 %t.28, 31
  %t.33 = trunc i64 %t.32 to i1
  %t.34 = xor i1 %t.31, %t.33
  %t.35 = icmp ne i32 %cnt.20, 0
  %t.36 = select i1 %t.35, i32 %t.29, i32 %r0.22
  %t.40 = and i32 %eflags0.39, 1
  %f.41 = icmp ne i32 %t.40, 0
  %t.42 = and i32 %eflags0.39, 4
  %f.43 = icmp ne i32 %t.42, 0
  %t.44 = and i32 %eflags0.39, 16
  %f.45 = icmp ne i32 %t.44, 0
  %t.46 = and i32 %eflags0.39, 64
  %f.47 = icmp ne i32 %t.46, 0
  %t.48 = and i32 %eflags0.39, 128
  %f.49 = icmp ne i32 %t.48, 0
  %t.50 = and i32 %eflags0.39, 2048
  %f.51 = icmp ne i32 %t.50, 0
  %t.52 = trunc i32 %t.29 to i8
  %t.55 = zext i8 %t.52 to i64
  %t.56 = getelementptr i8, ptr %parity.54, i64 %t.55
  %t.57 = load i8, ptr %t.56
  %pf.58 = icmp ne i8 %t.57, 0
  %zf.59 = icmp eq i32 %t.29, 0
  %sf.60 = icmp slt i32 %t.29, 0
  %t.61 = select i1 %t.35, i1 %t.31, i1 %f.41
  %t.62 = select i1 %t.35, i1 %pf.58, i1 %f.43
  %t.63 = select i1 %t.35, i1 false, i1 %f.45
  %t.64 = select i1 %t.35, i1 %zf.59, i1 %f.47
  %t.65 = select i1 %t.35, i1 %sf.60, i1 %f.49
  %t.66 = select i1 %t.35, i1 %t.34, i1 %f.51
  %t.67 = sext i32 %t.36 to i64
  %t.68 = sext i32 10 to i64
  %imul.69 = mul i64 %t.67, %t.68
  %t.70 = trunc i64 %imul.69 to i32
  %t.71 = sext i32 %t.70 to i64
  %t.72 = icmp ne i64 %imul.69, %t.71
  %lin.73 = add i32 %segbase2.7, %esp.5
  %t.76 = call i64 %read32.75(ptr %ctx, i32 %lin.73)
  %t.77 = icmp sge i64 %t.76, 0
  br i1 %t.77, label %ok.111, label %side.78, !prof !0
ok.111:
  %m.112 = trunc i64 %t.76 to i32
  %esp.113 = add i32 %esp.5, 4
  store i32 %t.36, ptr %p.21
  store i32 %t.70, ptr %p.79
  store i32 %esp.113, ptr %p.3
  store i32 %m.112, ptr %p.1
  %t.114 = load i32, ptr %p.80
  %t.115 = and i32 %t.114, -2262
  %t.116 = zext i1 %t.72 to i32
  %t.117 = or i32 %t.115, %t.116
  %t.118 = trunc i32 %t.70 to i8
  %t.119 = zext i8 %t.118 to i64
  %t.120 = getelementptr i8, ptr %parity.54, i64 %t.119
  %t.121 = load i8, ptr %t.120
  %pf.122 = icmp ne i8 %t.121, 0
  %t.123 = zext i1 %pf.122 to i32
  %t.124 = shl i32 %t.123, 2
  %t.125 = or i32 %t.117, %t.124
  %t.126 = zext i1 false to i32
  %t.127 = shl i32 %t.126, 4
  %t.128 = or i32 %t.125, %t.127
  %zf.129 = icmp eq i32 %t.70, 0
  %t.130 = zext i1 %zf.129 to i32
  %t.131 = shl i32 %t.130, 6
  %t.132 = or i32 %t.128, %t.131
  %sf.133 = icmp slt i32 %t.70, 0
  %t.134 = zext i1 %sf.133 to i32
  %t.135 = shl i32 %t.134, 7
  %t.136 = or i32 %t.132, %t.135
  %t.137 = zext i1 %t.72 to i32
  %t.138 = shl i32 %t.137, 11
  %t.139 = or i32 %t.136, %t.138
  store i32 %t.139, ptr %p.80
  store i32 0, ptr %p.107
  store i32 %t.36, ptr %p.14
  %budget.140 = load i64, ptr %cp.108
  %budget.141 = sub i64 %budget.140, 6
  store i64 %budget.141, ptr %cp.108
  %t.146 = lshr i32 %t.36, 14
  %t.147 = xor i32 %t.36, %t.146
  %t.148 = and i32 %t.147, 16383
  %t.149 = zext i32 %t.148 to i64
  %t.150 = getelementptr i32, ptr %tags.143, i64 %t.149
  %t.151 = load i32, ptr %t.150
  %t.152 = icmp eq i32 %t.151, %t.36
  %t.153 = icmp sgt i64 %budget.141, 0
  %t.154 = and i1 %t.152, %t.153
  %t.157 = getelementptr i64, ptr %fns.145, i64 %t.149
  %t.158 = load ptr, ptr %t.157
  %t.160 = load i64, ptr %cp.159
  %t.161 = zext i1 %t.154 to i64
  %t.162 = add i64 %t.160, %t.161
  store i64 %t.162, ptr %cp.159
  br i1 %t.154, label %chain.155, label %back.156
chain.155:
  %t.163 = musttail call i32 %t.158(ptr %st, ptr %ctx)
  ret i32 %t.163
back.156:
  ret i32 0
side.13:
  store i32 4096, ptr %p.14
  ret i32 4
side.78:
  store i32 %t.36, ptr %p.21
  store i32 %t.70, ptr %p.79
  store i32 %esp.5, ptr %p.3
  store i32 %esp.5, ptr %p.1
  %t.81 = load i32, ptr %p.80
  %t.82 = and i32 %t.81, -2262
  %t.83 = zext i1 %t.72 to i32
  %t.84 = or i32 %t.82, %t.83
  %t.85 = trunc i32 %t.70 to i8
  %t.86 = zext i8 %t.85 to i64
  %t.87 = getelementptr i8, ptr %parity.54, i64 %t.86
  %t.88 = load i8, ptr %t.87
  %pf.89 = icmp ne i8 %t.88, 0
  %t.90 = zext i1 %pf.89 to i32
  %t.91 = shl i32 %t.90, 2
  %t.92 = or i32 %t.84, %t.91
  %t.93 = zext i1 false to i32
  %t.94 = shl i32 %t.93, 4
  %t.95 = or i32 %t.92, %t.94
  %zf.96 = icmp eq i32 %t.70, 0
  %t.97 = zext i1 %zf.96 to i32
  %t.98 = shl i32 %t.97, 6
  %t.99 = or i32 %t.95, %t.98
  %sf.100 = icmp slt i32 %t.70, 0
  %t.101 = zext i1 %sf.100 to i32
  %t.102 = shl i32 %t.101, 7
  %t.103 = or i32 %t.99, %t.102
  %t.104 = zext i1 %t.72 to i32
  %t.105 = shl i32 %t.104, 11
  %t.106 = or i32 %t.103, %t.105
  store i32 %t.106, ptr %p.80
  store i32 0, ptr %p.107
  store i32 4104, ptr %p.14
  %budget.109 = load i64, ptr %cp.108
  %budget.110 = sub i64 %budget.109, 4
  store i64 %budget.110, ptr %cp.108
  ret i32 4
}
