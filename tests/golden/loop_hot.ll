define i32 @tb_00001000_0_hot(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 0
  %p.3 = getelementptr i8, ptr %st, i64 4
  %cp.11 = getelementptr i8, ptr %ctx, i64 56
  %p.17 = getelementptr i8, ptr %st, i64 36
  %p.51 = getelementptr i8, ptr %st, i64 40
  %p.52 = getelementptr i8, ptr %st, i64 32
  %cp.88 = getelementptr i8, ptr %ctx, i64 24
  %tags.89 = load ptr, ptr %cp.88
  %cp.90 = getelementptr i8, ptr %ctx, i64 32
  %fns.91 = load ptr, ptr %cp.90
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
  %t.24 = call i8 @llvm.ctpop.i8(i8 %t.23)
  %t.25 = and i8 %t.24, 1
  %pf.26 = icmp eq i8 %t.25, 0
  %t.27 = zext i1 %pf.26 to i32
  %t.28 = shl i32 %t.27, 2
  %t.29 = or i32 %t.22, %t.28
  %t.30 = xor i32 %r1.4, 1
  %t.31 = xor i32 %t.30, %dec.6
  %t.32 = and i32 %t.31, 16
  %af.33 = icmp ne i32 %t.32, 0
  %t.34 = zext i1 %af.33 to i32
  %t.35 = shl i32 %t.34, 4
  %t.36 = or i32 %t.29, %t.35
  %t.37 = zext i1 %zf.7 to i32
  %t.38 = shl i32 %t.37, 6
  %t.39 = or i32 %t.36, %t.38
  %sf.40 = icmp slt i32 %dec.6, 0
  %t.41 = zext i1 %sf.40 to i32
  %t.42 = shl i32 %t.41, 7
  %t.43 = or i32 %t.39, %t.42
  %t.44 = xor i32 %r1.4, 1
  %t.45 = xor i32 %r1.4, %dec.6
  %t.46 = and i32 %t.44, %t.45
  %of.47 = icmp slt i32 %t.46, 0
  %t.48 = zext i1 %of.47 to i32
  %t.49 = shl i32 %t.48, 11
  %t.50 = or i32 %t.43, %t.49
  store i32 %t.50, ptr %p.17
  store i32 0, ptr %p.51
  store i32 4096, ptr %p.52
  ret i32 0
latch.15:
  br label %loop
fall.10:
  store i32 %add.5, ptr %p.1
  store i32 %dec.6, ptr %p.3
  %t.53 = load i32, ptr %p.17
  %t.54 = and i32 %t.53, -2262
  %cf.55 = icmp ult i32 %add.5, %r0.2
  %t.56 = zext i1 %cf.55 to i32
  %t.57 = or i32 %t.54, %t.56
  %t.58 = trunc i32 %dec.6 to i8
  %t.59 = call i8 @llvm.ctpop.i8(i8 %t.58)
  %t.60 = and i8 %t.59, 1
  %pf.61 = icmp eq i8 %t.60, 0
  %t.62 = zext i1 %pf.61 to i32
  %t.63 = shl i32 %t.62, 2
  %t.64 = or i32 %t.57, %t.63
  %t.65 = xor i32 %r1.4, 1
  %t.66 = xor i32 %t.65, %dec.6
  %t.67 = and i32 %t.66, 16
  %af.68 = icmp ne i32 %t.67, 0
  %t.69 = zext i1 %af.68 to i32
  %t.70 = shl i32 %t.69, 4
  %t.71 = or i32 %t.64, %t.70
  %t.72 = zext i1 %zf.7 to i32
  %t.73 = shl i32 %t.72, 6
  %t.74 = or i32 %t.71, %t.73
  %sf.75 = icmp slt i32 %dec.6, 0
  %t.76 = zext i1 %sf.75 to i32
  %t.77 = shl i32 %t.76, 7
  %t.78 = or i32 %t.74, %t.77
  %t.79 = xor i32 %r1.4, 1
  %t.80 = xor i32 %r1.4, %dec.6
  %t.81 = and i32 %t.79, %t.80
  %of.82 = icmp slt i32 %t.81, 0
  %t.83 = zext i1 %of.82 to i32
  %t.84 = shl i32 %t.83, 11
  %t.85 = or i32 %t.78, %t.84
  store i32 %t.85, ptr %p.17
  store i32 0, ptr %p.51
  store i32 4101, ptr %p.52
  %budget.86 = load i64, ptr %cp.11
  %budget.87 = sub i64 %budget.86, 3
  store i64 %budget.87, ptr %cp.11
  %t.92 = getelementptr i32, ptr %tags.89, i64 4101
  %t.93 = load i32, ptr %t.92
  %t.94 = icmp eq i32 %t.93, 4101
  %t.95 = icmp sgt i64 %budget.87, 0
  %t.96 = and i1 %t.94, %t.95
  br i1 %t.96, label %chain.97, label %back.98
chain.97:
  %t.99 = getelementptr i8, ptr %ctx, i64 72
  %t.100 = load i64, ptr %t.99
  %t.101 = add i64 %t.100, 1
  store i64 %t.101, ptr %t.99
  %t.102 = getelementptr i64, ptr %fns.91, i64 4101
  %t.103 = load ptr, ptr %t.102
  %t.104 = musttail call i32 %t.103(ptr %st, ptr %ctx)
  ret i32 %t.104
back.98:
  ret i32 0
loop:
  %r0.105 = phi i32 [ %add.5, %latch.15 ], [ %add.113, %latch.122 ]
  %r1.106 = phi i32 [ %dec.6, %latch.15 ], [ %dec.114, %latch.122 ]
  %fl.107 = phi i32 [ %r0.2, %latch.15 ], [ %r0.105, %latch.122 ]
  %fl.108 = phi i32 [ %r1.4, %latch.15 ], [ %r1.106, %latch.122 ]
  %fl.109 = phi i32 [ %add.5, %latch.15 ], [ %add.113, %latch.122 ]
  %fl.110 = phi i32 [ %r1.4, %latch.15 ], [ %r1.106, %latch.122 ]
  %fl.111 = phi i32 [ 1, %latch.15 ], [ 1, %latch.122 ]
  %fl.112 = phi i32 [ %dec.6, %latch.15 ], [ %dec.114, %latch.122 ]
  %add.113 = add i32 %r0.105, %r1.106
  %dec.114 = sub i32 %r1.106, 1
  %zf.115 = icmp eq i32 %dec.114, 0
  %t.116 = xor i1 %zf.115, true
  br i1 %t.116, label %taken.117, label %fall.118
taken.117:
  %budget.119 = load i64, ptr %cp.11
  %budget.120 = sub i64 %budget.119, 3
  store i64 %budget.120, ptr %cp.11
  %t.121 = icmp sgt i64 %budget.120, 0
  br i1 %t.121, label %latch.122, label %back.123
back.123:
  store i32 %add.113, ptr %p.1
  store i32 %dec.114, ptr %p.3
  %t.124 = load i32, ptr %p.17
  %t.125 = and i32 %t.124, -2262
  %cf.126 = icmp ult i32 %add.113, %r0.105
  %t.127 = zext i1 %cf.126 to i32
  %t.128 = or i32 %t.125, %t.127
  %t.129 = trunc i32 %dec.114 to i8
  %t.130 = call i8 @llvm.ctpop.i8(i8 %t.129)
  %t.131 = and i8 %t.130, 1
  %pf.132 = icmp eq i8 %t.131, 0
  %t.133 = zext i1 %pf.132 to i32
  %t.134 = shl i32 %t.133, 2
  %t.135 = or i32 %t.128, %t.134
  %t.136 = xor i32 %r1.106, 1
  %t.137 = xor i32 %t.136, %dec.114
  %t.138 = and i32 %t.137, 16
  %af.139 = icmp ne i32 %t.138, 0
  %t.140 = zext i1 %af.139 to i32
  %t.141 = shl i32 %t.140, 4
  %t.142 = or i32 %t.135, %t.141
  %t.143 = zext i1 %zf.115 to i32
  %t.144 = shl i32 %t.143, 6
  %t.145 = or i32 %t.142, %t.144
  %sf.146 = icmp slt i32 %dec.114, 0
  %t.147 = zext i1 %sf.146 to i32
  %t.148 = shl i32 %t.147, 7
  %t.149 = or i32 %t.145, %t.148
  %t.150 = xor i32 %r1.106, 1
  %t.151 = xor i32 %r1.106, %dec.114
  %t.152 = and i32 %t.150, %t.151
  %of.153 = icmp slt i32 %t.152, 0
  %t.154 = zext i1 %of.153 to i32
  %t.155 = shl i32 %t.154, 11
  %t.156 = or i32 %t.149, %t.155
  store i32 %t.156, ptr %p.17
  store i32 0, ptr %p.51
  store i32 4096, ptr %p.52
  ret i32 0
latch.122:
  br label %loop
fall.118:
  store i32 %add.113, ptr %p.1
  store i32 %dec.114, ptr %p.3
  %t.157 = load i32, ptr %p.17
  %t.158 = and i32 %t.157, -2262
  %cf.159 = icmp ult i32 %add.113, %r0.105
  %t.160 = zext i1 %cf.159 to i32
  %t.161 = or i32 %t.158, %t.160
  %t.162 = trunc i32 %dec.114 to i8
  %t.163 = call i8 @llvm.ctpop.i8(i8 %t.162)
  %t.164 = and i8 %t.163, 1
  %pf.165 = icmp eq i8 %t.164, 0
  %t.166 = zext i1 %pf.165 to i32
  %t.167 = shl i32 %t.166, 2
  %t.168 = or i32 %t.161, %t.167
  %t.169 = xor i32 %r1.106, 1
  %t.170 = xor i32 %t.169, %dec.114
  %t.171 = and i32 %t.170, 16
  %af.172 = icmp ne i32 %t.171, 0
  %t.173 = zext i1 %af.172 to i32
  %t.174 = shl i32 %t.173, 4
  %t.175 = or i32 %t.168, %t.174
  %t.176 = zext i1 %zf.115 to i32
  %t.177 = shl i32 %t.176, 6
  %t.178 = or i32 %t.175, %t.177
  %sf.179 = icmp slt i32 %dec.114, 0
  %t.180 = zext i1 %sf.179 to i32
  %t.181 = shl i32 %t.180, 7
  %t.182 = or i32 %t.178, %t.181
  %t.183 = xor i32 %r1.106, 1
  %t.184 = xor i32 %r1.106, %dec.114
  %t.185 = and i32 %t.183, %t.184
  %of.186 = icmp slt i32 %t.185, 0
  %t.187 = zext i1 %of.186 to i32
  %t.188 = shl i32 %t.187, 11
  %t.189 = or i32 %t.182, %t.188
  store i32 %t.189, ptr %p.17
  store i32 0, ptr %p.51
  store i32 4101, ptr %p.52
  %budget.190 = load i64, ptr %cp.11
  %budget.191 = sub i64 %budget.190, 3
  store i64 %budget.191, ptr %cp.11
  %t.192 = getelementptr i32, ptr %tags.89, i64 4101
  %t.193 = load i32, ptr %t.192
  %t.194 = icmp eq i32 %t.193, 4101
  %t.195 = icmp sgt i64 %budget.191, 0
  %t.196 = and i1 %t.194, %t.195
  br i1 %t.196, label %chain.197, label %back.198
chain.197:
  %t.199 = getelementptr i8, ptr %ctx, i64 72
  %t.200 = load i64, ptr %t.199
  %t.201 = add i64 %t.200, 1
  store i64 %t.201, ptr %t.199
  %t.202 = getelementptr i64, ptr %fns.91, i64 4101
  %t.203 = load ptr, ptr %t.202
  %t.204 = musttail call i32 %t.203(ptr %st, ptr %ctx)
  ret i32 %t.204
back.198:
  ret i32 0
}
