define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 20
  %p.3 = getelementptr i8, ptr %st, i64 16
  %p.6 = getelementptr i8, ptr %st, i64 96
  %s2.limit.7 = load i32, ptr %p.6
  %p.8 = getelementptr i8, ptr %st, i64 100
  %s2.attrs.9 = load i32, ptr %p.8
  %s2.dc.10 = and i32 %s2.attrs.9, 12
  %s2.down.11 = icmp eq i32 %s2.dc.10, 4
  %s2.b.12 = and i32 %s2.attrs.9, 16384
  %s2.big.13 = icmp ne i32 %s2.b.12, 0
  %s2.top.14 = select i1 %s2.big.13, i32 -1, i32 65535
  %s2.upper.15 = select i1 %s2.down.11, i32 %s2.top.14, i32 %s2.limit.7
  %s2.lim1.16 = add i32 %s2.limit.7, 1
  %s2.lo.17 = select i1 %s2.down.11, i32 %s2.lim1.16, i32 0
  %s2.span.18 = sub i32 %s2.upper.15, %s2.lo.17
  %s2.up.19 = xor i1 %s2.down.11, true
  %s2.max.20 = icmp eq i32 %s2.limit.7, -1
  %s2.flat.21 = and i1 %s2.up.19, %s2.max.20
  %s2.full.22 = icmp uge i32 %s2.limit.7, %s2.top.14
  %s2.empty.23 = and i1 %s2.down.11, %s2.full.22
  %s2.kind.24 = and i32 %s2.attrs.9, 154
  %s2.wr.25 = icmp eq i32 %s2.kind.24, 146
  %s2.nonempty.26 = xor i1 %s2.empty.23, true
  %s2.wrok.27 = and i1 %s2.wr.25, %s2.nonempty.26
  %p.39 = getelementptr i8, ptr %st, i64 32
  %p.41 = getelementptr i8, ptr %st, i64 92
  %cp.44 = getelementptr i8, ptr %ctx, i64 112
  %write32.45 = load ptr, ptr %cp.44
  %cp.50 = getelementptr i8, ptr %ctx, i64 264
  %page_fault.51 = load ptr, ptr %cp.50
  %p.53 = getelementptr i8, ptr %st, i64 4
  %p.58 = getelementptr i8, ptr %st, i64 0
  %cp.74 = getelementptr i8, ptr %ctx, i64 40
  %materialize.75 = load ptr, ptr %cp.74
  %cp.90 = getelementptr i8, ptr %ctx, i64 56
  %parity.91 = load ptr, ptr %cp.90
  %s2.ps.110 = icmp uge i32 %s2.kind.24, 144
  %s2.nxo.111 = icmp ne i32 %s2.kind.24, 152
  %s2.rd.112 = and i1 %s2.ps.110, %s2.nxo.111
  %s2.rdok.113 = and i1 %s2.rd.112, %s2.nonempty.26
  %p.125 = getelementptr i8, ptr %st, i64 8
  %p.126 = getelementptr i8, ptr %st, i64 36
  %p.153 = getelementptr i8, ptr %st, i64 40
  %cp.154 = getelementptr i8, ptr %ctx, i64 120
  %cp.159 = getelementptr i8, ptr %ctx, i64 88
  %read32.160 = load ptr, ptr %cp.159
  %cp.224 = getelementptr i8, ptr %ctx, i64 24
  %tags.225 = load ptr, ptr %cp.224
  %cp.226 = getelementptr i8, ptr %ctx, i64 32
  %fns.227 = load ptr, ptr %cp.226
  %cp.241 = getelementptr i8, ptr %ctx, i64 136
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
  %segbase2.42 = load i32, ptr %p.41
  %r1.54 = load i32, ptr %p.53
  %r0.59 = load i32, ptr %p.58
  %eflags0.76 = call i32 %materialize.75(ptr %st)
  %esp.5 = sub i32 %r4.4, 4
  %t.28 = sub i32 %esp.5, %s2.lo.17
  %t.29 = icmp ule i32 %t.28, %s2.span.18
  %t.30 = add i32 %esp.5, 3
  %t.31 = sub i32 %t.30, %s2.lo.17
  %t.32 = icmp ule i32 %t.31, %s2.span.18
  %t.33 = icmp uge i32 %t.30, %esp.5
  %t.34 = and i1 %t.32, %t.33
  %t.35 = and i1 %t.29, %t.34
  %t.36 = or i1 %s2.flat.21, %t.35
  %segok.37 = and i1 %s2.wrok.27, %t.36
  br i1 %segok.37, label %ok.40, label %side.38, !prof !0
ok.40:
  %lin.43 = add i32 %segbase2.42, %esp.5
  %t.46 = call i32 %write32.45(ptr %ctx, i32 %lin.43, i32 %r5.2)
  %t.47 = icmp ne i32 %t.46, 0
  br i1 %t.47, label %ok.52, label %side.48, !prof !0
ok.52:
  %t.55 = trunc i32 %r1.54 to i8
  %t.56 = zext i8 %t.55 to i32
  %cnt.57 = and i32 %t.56, 31
  %t.60 = add i32 %cnt.57, 31
  %t.61 = and i32 %t.60, 31
  %t.62 = zext i32 %t.61 to i64
  %t.63 = zext i32 %r0.59 to i64
  %t.64 = shl i64 %t.63, %t.62
  %t.65 = shl i64 %t.64, 1
  %t.66 = trunc i64 %t.65 to i32
  %t.67 = lshr i64 %t.64, 31
  %t.68 = trunc i64 %t.67 to i1
  %t.69 = lshr i64 %t.65, 31
  %t.70 = trunc i64 %t.69 to i1
  %t.71 = xor i1 %t.68, %t.70
  %t.72 = icmp ne i32 %cnt.57, 0
  %t.73 = select i1 %t.72, i32 %t.66, i32 %r0.59
  %t.77 = and i32 %eflags0.76, 1
  %f.78 = icmp ne i32 %t.77, 0
  %t.79 = and i32 %eflags0.76, 4
  %f.80 = icmp ne i32 %t.79, 0
  %t.81 = and i32 %eflags0.76, 16
  %f.82 = icmp ne i32 %t.81, 0
  %t.83 = and i32 %eflags0.76, 64
  %f.84 = icmp ne i32 %t.83, 0
  %t.85 = and i32 %eflags0.76, 128
  %f.86 = icmp ne i32 %t.85, 0
  %t.87 = and i32 %eflags0.76, 2048
  %f.88 = icmp ne i32 %t.87, 0
  %t.89 = trunc i32 %t.66 to i8
  %t.92 = zext i8 %t.89 to i64
  %t.93 = getelementptr i8, ptr %parity.91, i64 %t.92
  %t.94 = load i8, ptr %t.93
  %pf.95 = icmp ne i8 %t.94, 0
  %zf.96 = icmp eq i32 %t.66, 0
  %sf.97 = icmp slt i32 %t.66, 0
  %t.98 = select i1 %t.72, i1 %t.68, i1 %f.78
  %t.99 = select i1 %t.72, i1 %pf.95, i1 %f.80
  %t.100 = select i1 %t.72, i1 false, i1 %f.82
  %t.101 = select i1 %t.72, i1 %zf.96, i1 %f.84
  %t.102 = select i1 %t.72, i1 %sf.97, i1 %f.86
  %t.103 = select i1 %t.72, i1 %t.71, i1 %f.88
  %t.104 = sext i32 %t.73 to i64
  %t.105 = sext i32 10 to i64
  %imul.106 = mul i64 %t.104, %t.105
  %t.107 = trunc i64 %imul.106 to i32
  %t.108 = sext i32 %t.107 to i64
  %t.109 = icmp ne i64 %imul.106, %t.108
  %t.114 = sub i32 %esp.5, %s2.lo.17
  %t.115 = icmp ule i32 %t.114, %s2.span.18
  %t.116 = add i32 %esp.5, 3
  %t.117 = sub i32 %t.116, %s2.lo.17
  %t.118 = icmp ule i32 %t.117, %s2.span.18
  %t.119 = icmp uge i32 %t.116, %esp.5
  %t.120 = and i1 %t.118, %t.119
  %t.121 = and i1 %t.115, %t.120
  %t.122 = or i1 %s2.flat.21, %t.121
  %segok.123 = and i1 %s2.rdok.113, %t.122
  br i1 %segok.123, label %ok.157, label %side.124, !prof !0
ok.157:
  %lin.158 = add i32 %segbase2.42, %esp.5
  %t.161 = call i64 %read32.160(ptr %ctx, i32 %lin.158)
  %t.162 = icmp sge i64 %t.161, 0
  br i1 %t.162, label %ok.193, label %side.163, !prof !0
ok.193:
  %m.194 = trunc i64 %t.161 to i32
  %esp.195 = add i32 %esp.5, 4
  store i32 %t.73, ptr %p.58
  store i32 %t.107, ptr %p.125
  store i32 %esp.195, ptr %p.3
  store i32 %m.194, ptr %p.1
  %t.196 = load i32, ptr %p.126
  %t.197 = and i32 %t.196, -2262
  %t.198 = zext i1 %t.109 to i32
  %t.199 = or i32 %t.197, %t.198
  %t.200 = trunc i32 %t.107 to i8
  %t.201 = zext i8 %t.200 to i64
  %t.202 = getelementptr i8, ptr %parity.91, i64 %t.201
  %t.203 = load i8, ptr %t.202
  %pf.204 = icmp ne i8 %t.203, 0
  %t.205 = zext i1 %pf.204 to i32
  %t.206 = shl i32 %t.205, 2
  %t.207 = or i32 %t.199, %t.206
  %t.208 = zext i1 false to i32
  %t.209 = shl i32 %t.208, 4
  %t.210 = or i32 %t.207, %t.209
  %zf.211 = icmp eq i32 %t.107, 0
  %t.212 = zext i1 %zf.211 to i32
  %t.213 = shl i32 %t.212, 6
  %t.214 = or i32 %t.210, %t.213
  %sf.215 = icmp slt i32 %t.107, 0
  %t.216 = zext i1 %sf.215 to i32
  %t.217 = shl i32 %t.216, 7
  %t.218 = or i32 %t.214, %t.217
  %t.219 = zext i1 %t.109 to i32
  %t.220 = shl i32 %t.219, 11
  %t.221 = or i32 %t.218, %t.220
  store i32 %t.221, ptr %p.126
  store i32 0, ptr %p.153
  store i32 %t.73, ptr %p.39
  %budget.222 = load i64, ptr %cp.154
  %budget.223 = sub i64 %budget.222, 6
  store i64 %budget.223, ptr %cp.154
  %t.228 = lshr i32 %t.73, 14
  %t.229 = xor i32 %t.73, %t.228
  %t.230 = and i32 %t.229, 16383
  %t.231 = zext i32 %t.230 to i64
  %t.232 = getelementptr i32, ptr %tags.225, i64 %t.231
  %t.233 = load i32, ptr %t.232
  %t.234 = icmp eq i32 %t.233, %t.73
  %t.235 = icmp sgt i64 %budget.223, 0
  %t.236 = and i1 %t.234, %t.235
  %t.239 = getelementptr i64, ptr %fns.227, i64 %t.231
  %t.240 = load ptr, ptr %t.239
  %t.242 = load i64, ptr %cp.241
  %t.243 = zext i1 %t.236 to i64
  %t.244 = add i64 %t.242, %t.243
  store i64 %t.244, ptr %cp.241
  br i1 %t.236, label %chain.237, label %back.238
chain.237:
  %t.245 = musttail call i32 %t.240(ptr %st, ptr %ctx)
  ret i32 %t.245
back.238:
  ret i32 0
side.38:
  store i32 4096, ptr %p.39
  ret i32 3
side.48:
  store i32 4096, ptr %p.39
  %r.49 = call i32 %page_fault.51(ptr %st, ptr %ctx, i32 4096)
  ret i32 %r.49
side.124:
  store i32 %t.73, ptr %p.58
  store i32 %t.107, ptr %p.125
  store i32 %esp.5, ptr %p.3
  store i32 %esp.5, ptr %p.1
  %t.127 = load i32, ptr %p.126
  %t.128 = and i32 %t.127, -2262
  %t.129 = zext i1 %t.109 to i32
  %t.130 = or i32 %t.128, %t.129
  %t.131 = trunc i32 %t.107 to i8
  %t.132 = zext i8 %t.131 to i64
  %t.133 = getelementptr i8, ptr %parity.91, i64 %t.132
  %t.134 = load i8, ptr %t.133
  %pf.135 = icmp ne i8 %t.134, 0
  %t.136 = zext i1 %pf.135 to i32
  %t.137 = shl i32 %t.136, 2
  %t.138 = or i32 %t.130, %t.137
  %t.139 = zext i1 false to i32
  %t.140 = shl i32 %t.139, 4
  %t.141 = or i32 %t.138, %t.140
  %zf.142 = icmp eq i32 %t.107, 0
  %t.143 = zext i1 %zf.142 to i32
  %t.144 = shl i32 %t.143, 6
  %t.145 = or i32 %t.141, %t.144
  %sf.146 = icmp slt i32 %t.107, 0
  %t.147 = zext i1 %sf.146 to i32
  %t.148 = shl i32 %t.147, 7
  %t.149 = or i32 %t.145, %t.148
  %t.150 = zext i1 %t.109 to i32
  %t.151 = shl i32 %t.150, 11
  %t.152 = or i32 %t.149, %t.151
  store i32 %t.152, ptr %p.126
  store i32 0, ptr %p.153
  store i32 4104, ptr %p.39
  %budget.155 = load i64, ptr %cp.154
  %budget.156 = sub i64 %budget.155, 4
  store i64 %budget.156, ptr %cp.154
  ret i32 3
side.163:
  store i32 %t.73, ptr %p.58
  store i32 %t.107, ptr %p.125
  store i32 %esp.5, ptr %p.3
  store i32 %esp.5, ptr %p.1
  %t.164 = load i32, ptr %p.126
  %t.165 = and i32 %t.164, -2262
  %t.166 = zext i1 %t.109 to i32
  %t.167 = or i32 %t.165, %t.166
  %t.168 = trunc i32 %t.107 to i8
  %t.169 = zext i8 %t.168 to i64
  %t.170 = getelementptr i8, ptr %parity.91, i64 %t.169
  %t.171 = load i8, ptr %t.170
  %pf.172 = icmp ne i8 %t.171, 0
  %t.173 = zext i1 %pf.172 to i32
  %t.174 = shl i32 %t.173, 2
  %t.175 = or i32 %t.167, %t.174
  %t.176 = zext i1 false to i32
  %t.177 = shl i32 %t.176, 4
  %t.178 = or i32 %t.175, %t.177
  %zf.179 = icmp eq i32 %t.107, 0
  %t.180 = zext i1 %zf.179 to i32
  %t.181 = shl i32 %t.180, 6
  %t.182 = or i32 %t.178, %t.181
  %sf.183 = icmp slt i32 %t.107, 0
  %t.184 = zext i1 %sf.183 to i32
  %t.185 = shl i32 %t.184, 7
  %t.186 = or i32 %t.182, %t.185
  %t.187 = zext i1 %t.109 to i32
  %t.188 = shl i32 %t.187, 11
  %t.189 = or i32 %t.186, %t.188
  store i32 %t.189, ptr %p.126
  store i32 0, ptr %p.153
  store i32 4104, ptr %p.39
  %budget.190 = load i64, ptr %cp.154
  %budget.191 = sub i64 %budget.190, 4
  store i64 %budget.191, ptr %cp.154
  %r.192 = call i32 %page_fault.51(ptr %st, ptr %ctx, i32 4104)
  ret i32 %r.192
}
