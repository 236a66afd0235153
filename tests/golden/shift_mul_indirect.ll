define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 20
  %p.3 = getelementptr i8, ptr %st, i64 16
  %p.6 = getelementptr i8, ptr %st, i64 92
  %cp.9 = getelementptr i8, ptr %ctx, i64 16
  %shadow_write.10 = load ptr, ptr %cp.9
  %cp.11 = getelementptr i8, ptr %ctx, i64 0
  %ram.12 = load ptr, ptr %cp.11
  %p.23 = getelementptr i8, ptr %st, i64 32
  %p.29 = getelementptr i8, ptr %st, i64 4
  %p.34 = getelementptr i8, ptr %st, i64 0
  %cp.50 = getelementptr i8, ptr %ctx, i64 40
  %materialize.51 = load ptr, ptr %cp.50
  %cp.84 = getelementptr i8, ptr %ctx, i64 8
  %shadow_read.85 = load ptr, ptr %cp.84
  %p.96 = getelementptr i8, ptr %st, i64 8
  %p.97 = getelementptr i8, ptr %st, i64 36
  %p.123 = getelementptr i8, ptr %st, i64 40
  %cp.124 = getelementptr i8, ptr %ctx, i64 56
  %cp.161 = getelementptr i8, ptr %ctx, i64 24
  %tags.162 = load ptr, ptr %cp.161
  %cp.163 = getelementptr i8, ptr %ctx, i64 32
  %fns.164 = load ptr, ptr %cp.163
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
  %r1.30 = load i32, ptr %p.29
  %r0.35 = load i32, ptr %p.34
  %eflags0.52 = call i32 %materialize.51(ptr %st)
  %esp.5 = sub i32 %r4.4, 4
  %lin.8 = add i32 %segbase2.7, %esp.5
  %t.13 = lshr i32 %lin.8, 12
  %t.14 = zext i32 %t.13 to i64
  %t.15 = getelementptr i32, ptr %shadow_write.10, i64 %t.14
  %pte.16 = load i32, ptr %t.15
  %t.17 = and i32 %lin.8, 4095
  %t.18 = and i32 %pte.16, 1
  %t.19 = icmp ule i32 %t.17, 4092
  %t.20 = icmp ne i32 %t.18, 0
  %t.21 = and i1 %t.19, %t.20
  br i1 %t.21, label %ok.24, label %side.22, !prof !0
ok.24:
  %t.25 = and i32 %pte.16, -4096
  %gpa.26 = or i32 %t.25, %t.17
  %t.27 = zext i32 %gpa.26 to i64
  %hva.28 = getelementptr i8, ptr %ram.12, i64 %t.27
  store i32 %r5.2, ptr %hva.28, align 1
  %t.31 = trunc i32 %r1.30 to i8
  %t.32 = zext i8 %t.31 to i32
  %cnt.33 = and i32 %t.32, 31
  %t.36 = add i32 %cnt.33, 31
  %t.37 = and i32 %t.36, 31
  %t.38 = zext i32 %t.37 to i64
  %t.39 = zext i32 %r0.35 to i64
  %t.40 = shl i64 %t.39, %t.38
  %t.41 = shl i64 %t.40, 1
  %t.42 = trunc i64 %t.41 to i32
  %t.43 = lshr i64 %t.40, 31
  %t.44 = trunc i64 %t.43 to i1
  %t.45 = lshr i64 %t.41, 31
  %t.46 = trunc i64 %t.45 to i1
  %t.47 = xor i1 %t.44, %t.46
  %t.48 = icmp ne i32 %cnt.33, 0
  %t.49 = select i1 %t.48, i32 %t.42, i32 %r0.35
  %t.53 = and i32 %eflags0.52, 1
  %f.54 = icmp ne i32 %t.53, 0
  %t.55 = and i32 %eflags0.52, 4
  %f.56 = icmp ne i32 %t.55, 0
  %t.57 = and i32 %eflags0.52, 16
  %f.58 = icmp ne i32 %t.57, 0
  %t.59 = and i32 %eflags0.52, 64
  %f.60 = icmp ne i32 %t.59, 0
  %t.61 = and i32 %eflags0.52, 128
  %f.62 = icmp ne i32 %t.61, 0
  %t.63 = and i32 %eflags0.52, 2048
  %f.64 = icmp ne i32 %t.63, 0
  %t.65 = trunc i32 %t.42 to i8
  %t.66 = call i8 @llvm.ctpop.i8(i8 %t.65)
  %t.67 = and i8 %t.66, 1
  %pf.68 = icmp eq i8 %t.67, 0
  %zf.69 = icmp eq i32 %t.42, 0
  %sf.70 = icmp slt i32 %t.42, 0
  %t.71 = select i1 %t.48, i1 %t.44, i1 %f.54
  %t.72 = select i1 %t.48, i1 %pf.68, i1 %f.56
  %t.73 = select i1 %t.48, i1 false, i1 %f.58
  %t.74 = select i1 %t.48, i1 %zf.69, i1 %f.60
  %t.75 = select i1 %t.48, i1 %sf.70, i1 %f.62
  %t.76 = select i1 %t.48, i1 %t.47, i1 %f.64
  %t.77 = sext i32 %t.49 to i64
  %t.78 = sext i32 10 to i64
  %imul.79 = mul i64 %t.77, %t.78
  %t.80 = trunc i64 %imul.79 to i32
  %t.81 = sext i32 %t.80 to i64
  %t.82 = icmp ne i64 %imul.79, %t.81
  %lin.83 = add i32 %segbase2.7, %esp.5
  %t.86 = lshr i32 %lin.83, 12
  %t.87 = zext i32 %t.86 to i64
  %t.88 = getelementptr i32, ptr %shadow_read.85, i64 %t.87
  %pte.89 = load i32, ptr %t.88
  %t.90 = and i32 %lin.83, 4095
  %t.91 = and i32 %pte.89, 1
  %t.92 = icmp ule i32 %t.90, 4092
  %t.93 = icmp ne i32 %t.91, 0
  %t.94 = and i1 %t.92, %t.93
  br i1 %t.94, label %ok.127, label %side.95, !prof !0
ok.127:
  %t.128 = and i32 %pte.89, -4096
  %gpa.129 = or i32 %t.128, %t.90
  %t.130 = zext i32 %gpa.129 to i64
  %hva.131 = getelementptr i8, ptr %ram.12, i64 %t.130
  %m.132 = load i32, ptr %hva.131, align 1
  %esp.133 = add i32 %esp.5, 4
  store i32 %t.49, ptr %p.34
  store i32 %t.80, ptr %p.96
  store i32 %esp.133, ptr %p.3
  store i32 %m.132, ptr %p.1
  %t.134 = load i32, ptr %p.97
  %t.135 = and i32 %t.134, -2262
  %t.136 = zext i1 %t.82 to i32
  %t.137 = or i32 %t.135, %t.136
  %t.138 = trunc i32 %t.80 to i8
  %t.139 = call i8 @llvm.ctpop.i8(i8 %t.138)
  %t.140 = and i8 %t.139, 1
  %pf.141 = icmp eq i8 %t.140, 0
  %t.142 = zext i1 %pf.141 to i32
  %t.143 = shl i32 %t.142, 2
  %t.144 = or i32 %t.137, %t.143
  %t.145 = zext i1 false to i32
  %t.146 = shl i32 %t.145, 4
  %t.147 = or i32 %t.144, %t.146
  %zf.148 = icmp eq i32 %t.80, 0
  %t.149 = zext i1 %zf.148 to i32
  %t.150 = shl i32 %t.149, 6
  %t.151 = or i32 %t.147, %t.150
  %sf.152 = icmp slt i32 %t.80, 0
  %t.153 = zext i1 %sf.152 to i32
  %t.154 = shl i32 %t.153, 7
  %t.155 = or i32 %t.151, %t.154
  %t.156 = zext i1 %t.82 to i32
  %t.157 = shl i32 %t.156, 11
  %t.158 = or i32 %t.155, %t.157
  store i32 %t.158, ptr %p.97
  store i32 0, ptr %p.123
  store i32 %t.49, ptr %p.23
  %budget.159 = load i64, ptr %cp.124
  %budget.160 = sub i64 %budget.159, 6
  store i64 %budget.160, ptr %cp.124
  %t.165 = lshr i32 %t.49, 14
  %t.166 = xor i32 %t.49, %t.165
  %t.167 = and i32 %t.166, 16383
  %t.168 = zext i32 %t.167 to i64
  %t.169 = getelementptr i32, ptr %tags.162, i64 %t.168
  %t.170 = load i32, ptr %t.169
  %t.171 = icmp eq i32 %t.170, %t.49
  %t.172 = icmp sgt i64 %budget.160, 0
  %t.173 = and i1 %t.171, %t.172
  br i1 %t.173, label %chain.174, label %back.175
chain.174:
  %t.176 = getelementptr i8, ptr %ctx, i64 72
  %t.177 = load i64, ptr %t.176
  %t.178 = add i64 %t.177, 1
  store i64 %t.178, ptr %t.176
  %t.179 = getelementptr i64, ptr %fns.164, i64 %t.168
  %t.180 = load ptr, ptr %t.179
  %t.181 = musttail call i32 %t.180(ptr %st, ptr %ctx)
  ret i32 %t.181
back.175:
  ret i32 0
side.22:
  store i32 4096, ptr %p.23
  ret i32 4
side.95:
  store i32 %t.49, ptr %p.34
  store i32 %t.80, ptr %p.96
  store i32 %esp.5, ptr %p.3
  store i32 %esp.5, ptr %p.1
  %t.98 = load i32, ptr %p.97
  %t.99 = and i32 %t.98, -2262
  %t.100 = zext i1 %t.82 to i32
  %t.101 = or i32 %t.99, %t.100
  %t.102 = trunc i32 %t.80 to i8
  %t.103 = call i8 @llvm.ctpop.i8(i8 %t.102)
  %t.104 = and i8 %t.103, 1
  %pf.105 = icmp eq i8 %t.104, 0
  %t.106 = zext i1 %pf.105 to i32
  %t.107 = shl i32 %t.106, 2
  %t.108 = or i32 %t.101, %t.107
  %t.109 = zext i1 false to i32
  %t.110 = shl i32 %t.109, 4
  %t.111 = or i32 %t.108, %t.110
  %zf.112 = icmp eq i32 %t.80, 0
  %t.113 = zext i1 %zf.112 to i32
  %t.114 = shl i32 %t.113, 6
  %t.115 = or i32 %t.111, %t.114
  %sf.116 = icmp slt i32 %t.80, 0
  %t.117 = zext i1 %sf.116 to i32
  %t.118 = shl i32 %t.117, 7
  %t.119 = or i32 %t.115, %t.118
  %t.120 = zext i1 %t.82 to i32
  %t.121 = shl i32 %t.120, 11
  %t.122 = or i32 %t.119, %t.121
  store i32 %t.122, ptr %p.97
  store i32 0, ptr %p.123
  store i32 4104, ptr %p.23
  %budget.125 = load i64, ptr %cp.124
  %budget.126 = sub i64 %budget.125, 4
  store i64 %budget.126, ptr %cp.124
  ret i32 4
}
