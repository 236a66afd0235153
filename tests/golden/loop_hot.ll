define i32 @tb_00001000_0_hot(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 0
  %p.3 = getelementptr i8, ptr %st, i64 4
  %cp.11 = getelementptr i8, ptr %ctx, i64 120
  %p.17 = getelementptr i8, ptr %st, i64 36
  %cp.24 = getelementptr i8, ptr %ctx, i64 56
  %parity.25 = load ptr, ptr %cp.24
  %p.54 = getelementptr i8, ptr %st, i64 40
  %p.55 = getelementptr i8, ptr %st, i64 32
  %cp.92 = getelementptr i8, ptr %ctx, i64 24
  %tags.93 = load ptr, ptr %cp.92
  %cp.94 = getelementptr i8, ptr %ctx, i64 32
  %fns.95 = load ptr, ptr %cp.94
  %cp.105 = getelementptr i8, ptr %ctx, i64 136
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
  br label %body
body:
  %r0.2 = load i32, ptr %p.1
  %r1.4 = load i32, ptr %p.3
  %add.5 = add i32 %r0.2, %r1.4
  %dec.6 = sub i32 %r1.4, 1
  %zf.7 = icmp eq i32 %dec.6, 0
  %t.8 = xor i1 %zf.7, true
  br i1 %t.8, label %taken.9, label %fall.10
taken.9:
  %budget.12 = load i64, ptr %cp.11
  %budget.13 = sub i64 %budget.12, 3
  store i64 %budget.13, ptr %cp.11
  %t.14 = icmp sgt i64 %budget.13, 0
  br i1 %t.14, label %latch.15, label %back.16
back.16:
  store i32 %add.5, ptr %p.1
  store i32 %dec.6, ptr %p.3
  %t.18 = load i32, ptr %p.17
  %t.19 = and i32 %t.18, -2262
  %cf.20 = icmp ult i32 %add.5, %r0.2
  %t.21 = zext i1 %cf.20 to i32
  %t.22 = or i32 %t.19, %t.21
  %t.23 = trunc i32 %dec.6 to i8
  %t.26 = zext i8 %t.23 to i64
  %t.27 = getelementptr i8, ptr %parity.25, i64 %t.26
  %t.28 = load i8, ptr %t.27
  %pf.29 = icmp ne i8 %t.28, 0
  %t.30 = zext i1 %pf.29 to i32
  %t.31 = shl i32 %t.30, 2
  %t.32 = or i32 %t.22, %t.31
  %t.33 = xor i32 %r1.4, 1
  %t.34 = xor i32 %t.33, %dec.6
  %t.35 = and i32 %t.34, 16
  %af.36 = icmp ne i32 %t.35, 0
  %t.37 = zext i1 %af.36 to i32
  %t.38 = shl i32 %t.37, 4
  %t.39 = or i32 %t.32, %t.38
  %t.40 = zext i1 %zf.7 to i32
  %t.41 = shl i32 %t.40, 6
  %t.42 = or i32 %t.39, %t.41
  %sf.43 = icmp slt i32 %dec.6, 0
  %t.44 = zext i1 %sf.43 to i32
  %t.45 = shl i32 %t.44, 7
  %t.46 = or i32 %t.42, %t.45
  %t.47 = xor i32 %r1.4, 1
  %t.48 = xor i32 %r1.4, %dec.6
  %t.49 = and i32 %t.47, %t.48
  %of.50 = icmp slt i32 %t.49, 0
  %t.51 = zext i1 %of.50 to i32
  %t.52 = shl i32 %t.51, 11
  %t.53 = or i32 %t.46, %t.52
  store i32 %t.53, ptr %p.17
  store i32 0, ptr %p.54
  store i32 4096, ptr %p.55
  ret i32 0
latch.15:
  br label %loop
fall.10:
  store i32 %add.5, ptr %p.1
  store i32 %dec.6, ptr %p.3
  %t.56 = load i32, ptr %p.17
  %t.57 = and i32 %t.56, -2262
  %cf.58 = icmp ult i32 %add.5, %r0.2
  %t.59 = zext i1 %cf.58 to i32
  %t.60 = or i32 %t.57, %t.59
  %t.61 = trunc i32 %dec.6 to i8
  %t.62 = zext i8 %t.61 to i64
  %t.63 = getelementptr i8, ptr %parity.25, i64 %t.62
  %t.64 = load i8, ptr %t.63
  %pf.65 = icmp ne i8 %t.64, 0
  %t.66 = zext i1 %pf.65 to i32
  %t.67 = shl i32 %t.66, 2
  %t.68 = or i32 %t.60, %t.67
  %t.69 = xor i32 %r1.4, 1
  %t.70 = xor i32 %t.69, %dec.6
  %t.71 = and i32 %t.70, 16
  %af.72 = icmp ne i32 %t.71, 0
  %t.73 = zext i1 %af.72 to i32
  %t.74 = shl i32 %t.73, 4
  %t.75 = or i32 %t.68, %t.74
  %t.76 = zext i1 %zf.7 to i32
  %t.77 = shl i32 %t.76, 6
  %t.78 = or i32 %t.75, %t.77
  %sf.79 = icmp slt i32 %dec.6, 0
  %t.80 = zext i1 %sf.79 to i32
  %t.81 = shl i32 %t.80, 7
  %t.82 = or i32 %t.78, %t.81
  %t.83 = xor i32 %r1.4, 1
  %t.84 = xor i32 %r1.4, %dec.6
  %t.85 = and i32 %t.83, %t.84
  %of.86 = icmp slt i32 %t.85, 0
  %t.87 = zext i1 %of.86 to i32
  %t.88 = shl i32 %t.87, 11
  %t.89 = or i32 %t.82, %t.88
  store i32 %t.89, ptr %p.17
  store i32 0, ptr %p.54
  store i32 4101, ptr %p.55
  %budget.90 = load i64, ptr %cp.11
  %budget.91 = sub i64 %budget.90, 3
  store i64 %budget.91, ptr %cp.11
  %t.96 = getelementptr i32, ptr %tags.93, i64 4101
  %t.97 = load i32, ptr %t.96
  %t.98 = icmp eq i32 %t.97, 4101
  %t.99 = icmp sgt i64 %budget.91, 0
  %t.100 = and i1 %t.98, %t.99
  %t.103 = getelementptr i64, ptr %fns.95, i64 4101
  %t.104 = load ptr, ptr %t.103
  %t.106 = load i64, ptr %cp.105
  %t.107 = zext i1 %t.100 to i64
  %t.108 = add i64 %t.106, %t.107
  store i64 %t.108, ptr %cp.105
  br i1 %t.100, label %chain.101, label %back.102
chain.101:
  %t.109 = musttail call i32 %t.104(ptr %st, ptr %ctx)
  ret i32 %t.109
back.102:
  ret i32 0
loop:
  %r0.110 = phi i32 [ %add.5, %latch.15 ], [ %add.118, %latch.127 ]
  %r1.111 = phi i32 [ %dec.6, %latch.15 ], [ %dec.119, %latch.127 ]
  %fl.112 = phi i32 [ %r0.2, %latch.15 ], [ %r0.110, %latch.127 ]
  %fl.113 = phi i32 [ %r1.4, %latch.15 ], [ %r1.111, %latch.127 ]
  %fl.114 = phi i32 [ %add.5, %latch.15 ], [ %add.118, %latch.127 ]
  %fl.115 = phi i32 [ %r1.4, %latch.15 ], [ %r1.111, %latch.127 ]
  %fl.116 = phi i32 [ 1, %latch.15 ], [ 1, %latch.127 ]
  %fl.117 = phi i32 [ %dec.6, %latch.15 ], [ %dec.119, %latch.127 ]
  %add.118 = add i32 %r0.110, %r1.111
  %dec.119 = sub i32 %r1.111, 1
  %zf.120 = icmp eq i32 %dec.119, 0
  %t.121 = xor i1 %zf.120, true
  br i1 %t.121, label %taken.122, label %fall.123
taken.122:
  %budget.124 = load i64, ptr %cp.11
  %budget.125 = sub i64 %budget.124, 3
  store i64 %budget.125, ptr %cp.11
  %t.126 = icmp sgt i64 %budget.125, 0
  br i1 %t.126, label %latch.127, label %back.128
back.128:
  store i32 %add.118, ptr %p.1
  store i32 %dec.119, ptr %p.3
  %t.129 = load i32, ptr %p.17
  %t.130 = and i32 %t.129, -2262
  %cf.131 = icmp ult i32 %add.118, %r0.110
  %t.132 = zext i1 %cf.131 to i32
  %t.133 = or i32 %t.130, %t.132
  %t.134 = trunc i32 %dec.119 to i8
  %t.135 = zext i8 %t.134 to i64
  %t.136 = getelementptr i8, ptr %parity.25, i64 %t.135
  %t.137 = load i8, ptr %t.136
  %pf.138 = icmp ne i8 %t.137, 0
  %t.139 = zext i1 %pf.138 to i32
  %t.140 = shl i32 %t.139, 2
  %t.141 = or i32 %t.133, %t.140
  %t.142 = xor i32 %r1.111, 1
  %t.143 = xor i32 %t.142, %dec.119
  %t.144 = and i32 %t.143, 16
  %af.145 = icmp ne i32 %t.144, 0
  %t.146 = zext i1 %af.145 to i32
  %t.147 = shl i32 %t.146, 4
  %t.148 = or i32 %t.141, %t.147
  %t.149 = zext i1 %zf.120 to i32
  %t.150 = shl i32 %t.149, 6
  %t.151 = or i32 %t.148, %t.150
  %sf.152 = icmp slt i32 %dec.119, 0
  %t.153 = zext i1 %sf.152 to i32
  %t.154 = shl i32 %t.153, 7
  %t.155 = or i32 %t.151, %t.154
  %t.156 = xor i32 %r1.111, 1
  %t.157 = xor i32 %r1.111, %dec.119
  %t.158 = and i32 %t.156, %t.157
  %of.159 = icmp slt i32 %t.158, 0
  %t.160 = zext i1 %of.159 to i32
  %t.161 = shl i32 %t.160, 11
  %t.162 = or i32 %t.155, %t.161
  store i32 %t.162, ptr %p.17
  store i32 0, ptr %p.54
  store i32 4096, ptr %p.55
  ret i32 0
latch.127:
  br label %loop
fall.123:
  store i32 %add.118, ptr %p.1
  store i32 %dec.119, ptr %p.3
  %t.163 = load i32, ptr %p.17
  %t.164 = and i32 %t.163, -2262
  %cf.165 = icmp ult i32 %add.118, %r0.110
  %t.166 = zext i1 %cf.165 to i32
  %t.167 = or i32 %t.164, %t.166
  %t.168 = trunc i32 %dec.119 to i8
  %t.169 = zext i8 %t.168 to i64
  %t.170 = getelementptr i8, ptr %parity.25, i64 %t.169
  %t.171 = load i8, ptr %t.170
  %pf.172 = icmp ne i8 %t.171, 0
  %t.173 = zext i1 %pf.172 to i32
  %t.174 = shl i32 %t.173, 2
  %t.175 = or i32 %t.167, %t.174
  %t.176 = xor i32 %r1.111, 1
  %t.177 = xor i32 %t.176, %dec.119
  %t.178 = and i32 %t.177, 16
  %af.179 = icmp ne i32 %t.178, 0
  %t.180 = zext i1 %af.179 to i32
  %t.181 = shl i32 %t.180, 4
  %t.182 = or i32 %t.175, %t.181
  %t.183 = zext i1 %zf.120 to i32
  %t.184 = shl i32 %t.183, 6
  %t.185 = or i32 %t.182, %t.184
  %sf.186 = icmp slt i32 %dec.119, 0
  %t.187 = zext i1 %sf.186 to i32
  %t.188 = shl i32 %t.187, 7
  %t.189 = or i32 %t.185, %t.188
  %t.190 = xor i32 %r1.111, 1
  %t.191 = xor i32 %r1.111, %dec.119
  %t.192 = and i32 %t.190, %t.191
  %of.193 = icmp slt i32 %t.192, 0
  %t.194 = zext i1 %of.193 to i32
  %t.195 = shl i32 %t.194, 11
  %t.196 = or i32 %t.189, %t.195
  store i32 %t.196, ptr %p.17
  store i32 0, ptr %p.54
  store i32 4101, ptr %p.55
  %budget.197 = load i64, ptr %cp.11
  %budget.198 = sub i64 %budget.197, 3
  store i64 %budget.198, ptr %cp.11
  %t.199 = getelementptr i32, ptr %tags.93, i64 4101
  %t.200 = load i32, ptr %t.199
  %t.201 = icmp eq i32 %t.200, 4101
  %t.202 = icmp sgt i64 %budget.198, 0
  %t.203 = and i1 %t.201, %t.202
  %t.206 = getelementptr i64, ptr %fns.95, i64 4101
  %t.207 = load ptr, ptr %t.206
  %t.208 = load i64, ptr %cp.105
  %t.209 = zext i1 %t.203 to i64
  %t.210 = add i64 %t.208, %t.209
  store i64 %t.210, ptr %cp.105
  br i1 %t.203, label %chain.204, label %back.205
chain.204:
  %t.211 = musttail call i32 %t.207(ptr %st, ptr %ctx)
  ret i32 %t.211
back.205:
  ret i32 0
}
