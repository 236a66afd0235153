define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 12
  %p.4 = getelementptr i8, ptr %st, i64 112
  %s3.limit.5 = load i32, ptr %p.4
  %p.6 = getelementptr i8, ptr %st, i64 116
  %s3.attrs.7 = load i32, ptr %p.6
  %s3.dc.8 = and i32 %s3.attrs.7, 12
  %s3.down.9 = icmp eq i32 %s3.dc.8, 4
  %s3.b.10 = and i32 %s3.attrs.7, 16384
  %s3.big.11 = icmp ne i32 %s3.b.10, 0
  %s3.top.12 = select i1 %s3.big.11, i32 -1, i32 65535
  %s3.upper.13 = select i1 %s3.down.9, i32 %s3.top.12, i32 %s3.limit.5
  %s3.lim1.14 = add i32 %s3.limit.5, 1
  %s3.lo.15 = select i1 %s3.down.9, i32 %s3.lim1.14, i32 0
  %s3.span.16 = sub i32 %s3.upper.13, %s3.lo.15
  %s3.up.17 = xor i1 %s3.down.9, true
  %s3.max.18 = icmp eq i32 %s3.limit.5, -1
  %s3.flat.19 = and i1 %s3.up.17, %s3.max.18
  %s3.full.20 = icmp uge i32 %s3.limit.5, %s3.top.12
  %s3.empty.21 = and i1 %s3.down.9, %s3.full.20
  %s3.kind.22 = and i32 %s3.attrs.7, 154
  %s3.wr.23 = icmp eq i32 %s3.kind.22, 146
  %s3.nonempty.24 = xor i1 %s3.empty.21, true
  %s3.wrok.25 = and i1 %s3.wr.23, %s3.nonempty.24
  %p.37 = getelementptr i8, ptr %st, i64 32
  %p.39 = getelementptr i8, ptr %st, i64 108
  %cp.42 = getelementptr i8, ptr %ctx, i64 88
  %read32.43 = load ptr, ptr %cp.42
  %cp.48 = getelementptr i8, ptr %ctx, i64 264
  %page_fault.49 = load ptr, ptr %cp.48
  %p.52 = getelementptr i8, ptr %st, i64 0
  %p.57 = getelementptr i8, ptr %st, i64 4
  %p.62 = getelementptr i8, ptr %st, i64 24
  %p.64 = getelementptr i8, ptr %st, i64 28
  %p.79 = getelementptr i8, ptr %st, i64 40
  %p.80 = getelementptr i8, ptr %st, i64 44
  %p.81 = getelementptr i8, ptr %st, i64 48
  %p.82 = getelementptr i8, ptr %st, i64 52
  %cp.83 = getelementptr i8, ptr %ctx, i64 120
  %cp.88 = getelementptr i8, ptr %ctx, i64 112
  %write32.89 = load ptr, ptr %cp.88
  %p.97 = getelementptr i8, ptr %st, i64 16
  %p.99 = getelementptr i8, ptr %st, i64 96
  %s2.limit.100 = load i32, ptr %p.99
  %p.101 = getelementptr i8, ptr %st, i64 100
  %s2.attrs.102 = load i32, ptr %p.101
  %s2.dc.103 = and i32 %s2.attrs.102, 12
  %s2.down.104 = icmp eq i32 %s2.dc.103, 4
  %s2.b.105 = and i32 %s2.attrs.102, 16384
  %s2.big.106 = icmp ne i32 %s2.b.105, 0
  %s2.top.107 = select i1 %s2.big.106, i32 -1, i32 65535
  %s2.upper.108 = select i1 %s2.down.104, i32 %s2.top.107, i32 %s2.limit.100
  %s2.lim1.109 = add i32 %s2.limit.100, 1
  %s2.lo.110 = select i1 %s2.down.104, i32 %s2.lim1.109, i32 0
  %s2.span.111 = sub i32 %s2.upper.108, %s2.lo.110
  %s2.up.112 = xor i1 %s2.down.104, true
  %s2.max.113 = icmp eq i32 %s2.limit.100, -1
  %s2.flat.114 = and i1 %s2.up.112, %s2.max.113
  %s2.full.115 = icmp uge i32 %s2.limit.100, %s2.top.107
  %s2.empty.116 = and i1 %s2.down.104, %s2.full.115
  %s2.kind.117 = and i32 %s2.attrs.102, 154
  %s2.ps.118 = icmp uge i32 %s2.kind.117, 144
  %s2.nxo.119 = icmp ne i32 %s2.kind.117, 152
  %s2.rd.120 = and i1 %s2.ps.118, %s2.nxo.119
  %s2.nonempty.121 = xor i1 %s2.empty.116, true
  %s2.rdok.122 = and i1 %s2.rd.120, %s2.nonempty.121
  %p.137 = getelementptr i8, ptr %st, i64 92
  %cp.151 = getelementptr i8, ptr %ctx, i64 24
  %tags.152 = load ptr, ptr %cp.151
  %cp.153 = getelementptr i8, ptr %ctx, i64 32
  %fns.154 = load ptr, ptr %cp.153
  %cp.168 = getelementptr i8, ptr %ctx, i64 136
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
  %segbase3.40 = load i32, ptr %p.39
  %r0.53 = load i32, ptr %p.52
  %r1.58 = load i32, ptr %p.57
  %r6.63 = load i32, ptr %p.62
  %r7.65 = load i32, ptr %p.64
  %r4.98 = load i32, ptr %p.97
  %segbase2.138 = load i32, ptr %p.137
  %ea.3 = add i32 %r3.2, 4
  %t.26 = sub i32 %ea.3, %s3.lo.15
  %t.27 = icmp ule i32 %t.26, %s3.span.16
  %t.28 = add i32 %ea.3, 3
  %t.29 = sub i32 %t.28, %s3.lo.15
  %t.30 = icmp ule i32 %t.29, %s3.span.16
  %t.31 = icmp uge i32 %t.28, %ea.3
  %t.32 = and i1 %t.30, %t.31
  %t.33 = and i1 %t.27, %t.32
  %t.34 = or i1 %s3.flat.19, %t.33
  %segok.35 = and i1 %s3.wrok.25, %t.34
  br i1 %segok.35, label %ok.38, label %side.36, !prof !0
ok.38:
  %lin.41 = add i32 %segbase3.40, %ea.3
  %t.44 = call i64 %read32.43(ptr %ctx, i32 %lin.41)
  %t.45 = icmp sge i64 %t.44, 0
  br i1 %t.45, label %ok.50, label %side.46, !prof !0
ok.50:
  %m.51 = trunc i64 %t.44 to i32
  %cmp.54 = sub i32 %m.51, %r0.53
  %t.55 = icmp slt i32 %m.51, %r0.53
  %setl.56 = zext i1 %t.55 to i8
  %t.59 = zext i8 %setl.56 to i32
  %t.60 = and i32 %r1.58, -256
  %t.61 = or i32 %t.60, %t.59
  %t.66 = shl i32 %r7.65, 2
  %t.67 = add i32 %r6.63, %t.66
  %t.68 = sub i32 %t.67, %s3.lo.15
  %t.69 = icmp ule i32 %t.68, %s3.span.16
  %t.70 = add i32 %t.67, 3
  %t.71 = sub i32 %t.70, %s3.lo.15
  %t.72 = icmp ule i32 %t.71, %s3.span.16
  %t.73 = icmp uge i32 %t.70, %t.67
  %t.74 = and i1 %t.72, %t.73
  %t.75 = and i1 %t.69, %t.74
  %t.76 = or i1 %s3.flat.19, %t.75
  %segok.77 = and i1 %s3.wrok.25, %t.76
  br i1 %segok.77, label %ok.86, label %side.78, !prof !0
ok.86:
  %lin.87 = add i32 %segbase3.40, %t.67
  %t.90 = call i32 %write32.89(ptr %ctx, i32 %lin.87, i32 %t.61)
  %t.91 = icmp ne i32 %t.90, 0
  br i1 %t.91, label %ok.96, label %side.92, !prof !0
ok.96:
  %t.123 = sub i32 %r4.98, %s2.lo.110
  %t.124 = icmp ule i32 %t.123, %s2.span.111
  %t.125 = add i32 %r4.98, 3
  %t.126 = sub i32 %t.125, %s2.lo.110
  %t.127 = icmp ule i32 %t.126, %s2.span.111
  %t.128 = icmp uge i32 %t.125, %r4.98
  %t.129 = and i1 %t.127, %t.128
  %t.130 = and i1 %t.124, %t.129
  %t.131 = or i1 %s2.flat.114, %t.130
  %segok.132 = and i1 %s2.rdok.122, %t.131
  br i1 %segok.132, label %ok.136, label %side.133, !prof !0
ok.136:
  %lin.139 = add i32 %segbase2.138, %r4.98
  %t.140 = call i64 %read32.43(ptr %ctx, i32 %lin.139)
  %t.141 = icmp sge i64 %t.140, 0
  br i1 %t.141, label %ok.146, label %side.142, !prof !0
ok.146:
  %m.147 = trunc i64 %t.140 to i32
  %esp.148 = add i32 %r4.98, 4
  store i32 %t.61, ptr %p.57
  store i32 %esp.148, ptr %p.97
  store i32 28, ptr %p.79
  store i32 %m.51, ptr %p.80
  store i32 %r0.53, ptr %p.81
  store i32 %cmp.54, ptr %p.82
  store i32 %m.147, ptr %p.37
  %budget.149 = load i64, ptr %cp.83
  %budget.150 = sub i64 %budget.149, 4
  store i64 %budget.150, ptr %cp.83
  %t.155 = lshr i32 %m.147, 14
  %t.156 = xor i32 %m.147, %t.155
  %t.157 = and i32 %t.156, 16383
  %t.158 = zext i32 %t.157 to i64
  %t.159 = getelementptr i32, ptr %tags.152, i64 %t.158
  %t.160 = load i32, ptr %t.159
  %t.161 = icmp eq i32 %t.160, %m.147
  %t.162 = icmp sgt i64 %budget.150, 0
  %t.163 = and i1 %t.161, %t.162
  %t.166 = getelementptr i64, ptr %fns.154, i64 %t.158
  %t.167 = load ptr, ptr %t.166
  %t.169 = load i64, ptr %cp.168
  %t.170 = zext i1 %t.163 to i64
  %t.171 = add i64 %t.169, %t.170
  store i64 %t.171, ptr %cp.168
  br i1 %t.163, label %chain.164, label %back.165
chain.164:
  %t.172 = musttail call i32 %t.167(ptr %st, ptr %ctx)
  ret i32 %t.172
back.165:
  ret i32 0
side.36:
  store i32 4096, ptr %p.37
  ret i32 3
side.46:
  store i32 4096, ptr %p.37
  %r.47 = call i32 %page_fault.49(ptr %st, ptr %ctx, i32 4096)
  ret i32 %r.47
side.78:
  store i32 %t.61, ptr %p.57
  store i32 28, ptr %p.79
  store i32 %m.51, ptr %p.80
  store i32 %r0.53, ptr %p.81
  store i32 %cmp.54, ptr %p.82
  store i32 4102, ptr %p.37
  %budget.84 = load i64, ptr %cp.83
  %budget.85 = sub i64 %budget.84, 2
  store i64 %budget.85, ptr %cp.83
  ret i32 3
side.92:
  store i32 %t.61, ptr %p.57
  store i32 28, ptr %p.79
  store i32 %m.51, ptr %p.80
  store i32 %r0.53, ptr %p.81
  store i32 %cmp.54, ptr %p.82
  store i32 4102, ptr %p.37
  %budget.93 = load i64, ptr %cp.83
  %budget.94 = sub i64 %budget.93, 2
  store i64 %budget.94, ptr %cp.83
  %r.95 = call i32 %page_fault.49(ptr %st, ptr %ctx, i32 4102)
  ret i32 %r.95
side.133:
  store i32 %t.61, ptr %p.57
  store i32 28, ptr %p.79
  store i32 %m.51, ptr %p.80
  store i32 %r0.53, ptr %p.81
  store i32 %cmp.54, ptr %p.82
  store i32 4105, ptr %p.37
  %budget.134 = load i64, ptr %cp.83
  %budget.135 = sub i64 %budget.134, 3
  store i64 %budget.135, ptr %cp.83
  ret i32 3
side.142:
  store i32 %t.61, ptr %p.57
  store i32 28, ptr %p.79
  store i32 %m.51, ptr %p.80
  store i32 %r0.53, ptr %p.81
  store i32 %cmp.54, ptr %p.82
  store i32 4105, ptr %p.37
  %budget.143 = load i64, ptr %cp.83
  %budget.144 = sub i64 %budget.143, 3
  store i64 %budget.144, ptr %cp.83
  %r.145 = call i32 %page_fault.49(ptr %st, ptr %ctx, i32 4105)
  ret i32 %r.145
}
