define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 20
  %p.3 = getelementptr i8, ptr %st, i64 16
  %p.6 = getelementptr i8, ptr %st, i64 92
  %cp.9 = getelementptr i8, ptr %ctx, i64 112
  %write32.10 = load ptr, ptr %cp.9
  %p.14 = getelementptr i8, ptr %st, i64 32
  %cp.16 = getelementptr i8, ptr %ctx, i64 264
  %page_fault.17 = load ptr, ptr %cp.16
  %p.19 = getelementptr i8, ptr %st, i64 4
  %p.24 = getelementptr i8, ptr %st, i64 0
  %cp.40 = getelementptr i8, ptr %ctx, i64 40
  %materialize.41 = load ptr, ptr %cp.40
  %cp.56 = getelementptr i8, ptr %ctx, i64 56
  %parity.57 = load ptr, ptr %cp.56
  %cp.77 = getelementptr i8, ptr %ctx, i64 88
  %read32.78 = load ptr, ptr %cp.77
  %p.82 = getelementptr i8, ptr %st, i64 8
  %p.83 = getelementptr i8, ptr %st, i64 36
  %p.110 = getelementptr i8, ptr %st, i64 40
  %cp.111 = getelementptr i8, ptr %ctx, i64 120
  %cp.146 = getelementptr i8, ptr %ctx, i64 24
  %tags.147 = load ptr, ptr %cp.146
  %cp.148 = getelementptr i8, ptr %ctx, i64 32
  %fns.149 = load ptr, ptr %cp.148
  %cp.163 = getelementptr i8, ptr %ctx, i64 136
  %flatv.p = getelementptr i8, ptr %ctx, i64 320
  %flatv = load i32, ptr %flatv.p
  %flatv.need = and i32 %flatv, 6
  %flatv.ok = icmp eq i32 %flatv.need, 6
  br i1 %flatv.ok, label %flat.ok, label %flat.check, !prof !0
flat.check:
  %flatcs.lp = getelementptr i8, ptr %st, i64 80
  %flatcs.limit = load i32, ptr %flatcs.lp
  %flatcs = icmp eq i32 %flatcs.limit, -1
  %flat2.p = getelementptr i8, ptr %st, i64 96
  %flat2.la = load i64, ptr %flat2.p, align 4
  %flat2.m = and i64 %flat2.la, 682899800063
  %flat2 = xor i64 %flat2.m, 631360192511
  %flat.data = icmp eq i64 %flat2, 0
  %flat.all = and i1 %flatcs, %flat.data
  br i1 %flat.all, label %flat.mark, label %flat.no, !prof !0
flat.mark:
  %flatv.new = or i32 %flatv, 6
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
  %r5.2 = load i32, ptr %p.1
  %r4.4 = load i32, ptr %p.3
  %segbase2.7 = load i32, ptr %p.6
  %r1.20 = load i32, ptr %p.19
  %r0.25 = load i32, ptr %p.24
  %eflags0.42 = call i32 %materialize.41(ptr %st)
  %esp.5 = sub i32 %r4.4, 4
  %lin.8 = add i32 %segbase2.7, %esp.5
  %t.11 = call i32 %write32.10(ptr %ctx, i32 %lin.8, i32 %r5.2)
  %t.12 = icmp ne i32 %t.11, 0
  br i1 %t.12, label %ok.18, label %side.13, !prof !0
ok.18:
  %t.21 = trunc i32 %r1.20 to i8
  %t.22 = zext i8 %t.21 to i32
  %cnt.23 = and i32 %t.22, 31
  %t.26 = add i32 %cnt.23, 31
  %t.27 = and i32 %t.26, 31
  %t.28 = zext i32 %t.27 to i64
  %t.29 = zext i32 %r0.25 to i64
  %t.30 = shl i64 %t.29, %t.28
  %t.31 = shl i64 %t.30, 1
  %t.32 = trunc i64 %t.31 to i32
  %t.33 = lshr i64 %t.30, 31
  %t.34 = trunc i64 %t.33 to i1
  %t.35 = lshr i64 %t.31, 31
  %t.36 = trunc i64 %t.35 to i1
  %t.37 = xor i1 %t.34, %t.36
  %t.38 = icmp ne i32 %cnt.23, 0
  %t.39 = select i1 %t.38, i32 %t.32, i32 %r0.25
  %t.43 = and i32 %eflags0.42, 1
  %f.44 = icmp ne i32 %t.43, 0
  %t.45 = and i32 %eflags0.42, 4
  %f.46 = icmp ne i32 %t.45, 0
  %t.47 = and i32 %eflags0.42, 16
  %f.48 = icmp ne i32 %t.47, 0
  %t.49 = and i32 %eflags0.42, 64
  %f.50 = icmp ne i32 %t.49, 0
  %t.51 = and i32 %eflags0.42, 128
  %f.52 = icmp ne i32 %t.51, 0
  %t.53 = and i32 %eflags0.42, 2048
  %f.54 = icmp ne i32 %t.53, 0
  %t.55 = trunc i32 %t.32 to i8
  %t.58 = zext i8 %t.55 to i64
  %t.59 = getelementptr i8, ptr %parity.57, i64 %t.58
  %t.60 = load i8, ptr %t.59
  %pf.61 = icmp ne i8 %t.60, 0
  %zf.62 = icmp eq i32 %t.32, 0
  %sf.63 = icmp slt i32 %t.32, 0
  %t.64 = select i1 %t.38, i1 %t.34, i1 %f.44
  %t.65 = select i1 %t.38, i1 %pf.61, i1 %f.46
  %t.66 = select i1 %t.38, i1 false, i1 %f.48
  %t.67 = select i1 %t.38, i1 %zf.62, i1 %f.50
  %t.68 = select i1 %t.38, i1 %sf.63, i1 %f.52
  %t.69 = select i1 %t.38, i1 %t.37, i1 %f.54
  %t.70 = sext i32 %t.39 to i64
  %t.71 = sext i32 10 to i64
  %imul.72 = mul i64 %t.70, %t.71
  %t.73 = trunc i64 %imul.72 to i32
  %t.74 = sext i32 %t.73 to i64
  %t.75 = icmp ne i64 %imul.72, %t.74
  %lin.76 = add i32 %segbase2.7, %esp.5
  %t.79 = call i64 %read32.78(ptr %ctx, i32 %lin.76)
  %t.80 = icmp sge i64 %t.79, 0
  br i1 %t.80, label %ok.115, label %side.81, !prof !0
ok.115:
  %m.116 = trunc i64 %t.79 to i32
  %esp.117 = add i32 %esp.5, 4
  store i32 %t.39, ptr %p.24
  store i32 %t.73, ptr %p.82
  store i32 %esp.117, ptr %p.3
  store i32 %m.116, ptr %p.1
  %t.118 = load i32, ptr %p.83
  %t.119 = and i32 %t.118, -2262
  %t.120 = zext i1 %t.75 to i32
  %t.121 = or i32 %t.119, %t.120
  %t.122 = trunc i32 %t.73 to i8
  %t.123 = zext i8 %t.122 to i64
  %t.124 = getelementptr i8, ptr %parity.57, i64 %t.123
  %t.125 = load i8, ptr %t.124
  %pf.126 = icmp ne i8 %t.125, 0
  %t.127 = zext i1 %pf.126 to i32
  %t.128 = shl i32 %t.127, 2
  %t.129 = or i32 %t.121, %t.128
  %t.130 = zext i1 false to i32
  %t.131 = shl i32 %t.130, 4
  %t.132 = or i32 %t.129, %t.131
  %zf.133 = icmp eq i32 %t.73, 0
  %t.134 = zext i1 %zf.133 to i32
  %t.135 = shl i32 %t.134, 6
  %t.136 = or i32 %t.132, %t.135
  %sf.137 = icmp slt i32 %t.73, 0
  %t.138 = zext i1 %sf.137 to i32
  %t.139 = shl i32 %t.138, 7
  %t.140 = or i32 %t.136, %t.139
  %t.141 = zext i1 %t.75 to i32
  %t.142 = shl i32 %t.141, 11
  %t.143 = or i32 %t.140, %t.142
  store i32 %t.143, ptr %p.83
  store i32 0, ptr %p.110
  store i32 %t.39, ptr %p.14
  %budget.144 = load i64, ptr %cp.111
  %budget.145 = sub i64 %budget.144, 6
  store i64 %budget.145, ptr %cp.111
  %t.150 = lshr i32 %t.39, 14
  %t.151 = xor i32 %t.39, %t.150
  %t.152 = and i32 %t.151, 16383
  %t.153 = zext i32 %t.152 to i64
  %t.154 = getelementptr i32, ptr %tags.147, i64 %t.153
  %t.155 = load i32, ptr %t.154
  %t.156 = icmp eq i32 %t.155, %t.39
  %t.157 = icmp sgt i64 %budget.145, 0
  %t.158 = and i1 %t.156, %t.157
  %t.161 = getelementptr i64, ptr %fns.149, i64 %t.153
  %t.162 = load ptr, ptr %t.161
  %t.164 = load i64, ptr %cp.163
  %t.165 = zext i1 %t.158 to i64
  %t.166 = add i64 %t.164, %t.165
  store i64 %t.166, ptr %cp.163
  br i1 %t.158, label %chain.159, label %back.160
chain.159:
  %t.167 = musttail call i32 %t.162(ptr %st, ptr %ctx)
  ret i32 %t.167
back.160:
  ret i32 0
side.13:
  store i32 4096, ptr %p.14
  %r.15 = call i32 %page_fault.17(ptr %st, ptr %ctx, i32 4096)
  ret i32 %r.15
side.81:
  store i32 %t.39, ptr %p.24
  store i32 %t.73, ptr %p.82
  store i32 %esp.5, ptr %p.3
  store i32 %esp.5, ptr %p.1
  %t.84 = load i32, ptr %p.83
  %t.85 = and i32 %t.84, -2262
  %t.86 = zext i1 %t.75 to i32
  %t.87 = or i32 %t.85, %t.86
  %t.88 = trunc i32 %t.73 to i8
  %t.89 = zext i8 %t.88 to i64
  %t.90 = getelementptr i8, ptr %parity.57, i64 %t.89
  %t.91 = load i8, ptr %t.90
  %pf.92 = icmp ne i8 %t.91, 0
  %t.93 = zext i1 %pf.92 to i32
  %t.94 = shl i32 %t.93, 2
  %t.95 = or i32 %t.87, %t.94
  %t.96 = zext i1 false to i32
  %t.97 = shl i32 %t.96, 4
  %t.98 = or i32 %t.95, %t.97
  %zf.99 = icmp eq i32 %t.73, 0
  %t.100 = zext i1 %zf.99 to i32
  %t.101 = shl i32 %t.100, 6
  %t.102 = or i32 %t.98, %t.101
  %sf.103 = icmp slt i32 %t.73, 0
  %t.104 = zext i1 %sf.103 to i32
  %t.105 = shl i32 %t.104, 7
  %t.106 = or i32 %t.102, %t.105
  %t.107 = zext i1 %t.75 to i32
  %t.108 = shl i32 %t.107, 11
  %t.109 = or i32 %t.106, %t.108
  store i32 %t.109, ptr %p.83
  store i32 0, ptr %p.110
  store i32 4104, ptr %p.14
  %budget.112 = load i64, ptr %cp.111
  %budget.113 = sub i64 %budget.112, 4
  store i64 %budget.113, ptr %cp.111
  %r.114 = call i32 %page_fault.17(ptr %st, ptr %ctx, i32 4104)
  ret i32 %r.114
}
