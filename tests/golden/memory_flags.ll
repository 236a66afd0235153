define i32 @tb_00001000_0(ptr noalias %st, ptr noalias %ctx) {
entry:
  %p.1 = getelementptr i8, ptr %st, i64 12
  %p.4 = getelementptr i8, ptr %st, i64 108
  %cp.7 = getelementptr i8, ptr %ctx, i64 88
  %read32.8 = load ptr, ptr %cp.7
  %p.12 = getelementptr i8, ptr %st, i64 32
  %cp.14 = getelementptr i8, ptr %ctx, i64 264
  %page_fault.15 = load ptr, ptr %cp.14
  %p.18 = getelementptr i8, ptr %st, i64 0
  %p.23 = getelementptr i8, ptr %st, i64 4
  %p.28 = getelementptr i8, ptr %st, i64 24
  %p.30 = getelementptr i8, ptr %st, i64 28
  %cp.35 = getelementptr i8, ptr %ctx, i64 112
  %write32.36 = load ptr, ptr %cp.35
  %p.40 = getelementptr i8, ptr %st, i64 40
  %p.41 = getelementptr i8, ptr %st, i64 44
  %p.42 = getelementptr i8, ptr %st, i64 48
  %p.43 = getelementptr i8, ptr %st, i64 52
  %cp.44 = getelementptr i8, ptr %ctx, i64 120
  %p.49 = getelementptr i8, ptr %st, i64 16
  %p.51 = getelementptr i8, ptr %st, i64 92
  %cp.65 = getelementptr i8, ptr %ctx, i64 24
  %tags.66 = load ptr, ptr %cp.65
  %cp.67 = getelementptr i8, ptr %ctx, i64 32
  %fns.68 = load ptr, ptr %cp.67
  %cp.82 = getelementptr i8, ptr %ctx, i64 136
  %flatv.p = getelementptr i8, ptr %ctx, i64 320
  %flatv = load i32, ptr %flatv.p
  %flatv.need = and i32 %flatv, 14
  %flatv.ok = icmp eq i32 %flatv.need, 14
  br i1 %flatv.ok, label %flat.ok, label %flat.check, !prof !0
flat.check:
  %flatcs.lp = getelementptr i8, ptr %st, i64 80
  %flatcs.limit = load i32, ptr %flatcs.lp
  %flatcs = icmp eq i32 %flatcs.limit, -1
  %flat2.p = getelementptr i8, ptr %st, i64 96
  %flat2.la = load i64, ptr %flat2.p, align 4
  %flat2.m = and i64 %flat2.la, 682899800063
  %flat2 = xor i64 %flat2.m, 631360192511
  %flat3.p = getelementptr i8, ptr %st, i64 112
  %flat3.la = load i64, ptr %flat3.p, align 4
  %flat3.m = and i64 %flat3.la, 682899800063
  %flat3 = xor i64 %flat3.m, 631360192511
  %flat3.any = or i64 %flat2, %flat3
  %flat.data = icmp eq i64 %flat3.any, 0
  %flat.all = and i1 %flatcs, %flat.data
  br i1 %flat.all, label %flat.mark, label %flat.no, !prof !0
flat.mark:
  %flatv.new = or i32 %flatv, 14
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
  %r3.2 = load i32, ptr %p.1
  %segbase3.5 = load i32, ptr %p.4
  %r0.19 = load i32, ptr %p.18
  %r1.24 = load i32, ptr %p.23
  %r6.29 = load i32, ptr %p.28
  %r7.31 = load i32, ptr %p.30
  %r4.50 = load i32, ptr %p.49
  %segbase2.52 = load i32, ptr %p.51
  %ea.3 = add i32 %r3.2, 4
  %lin.6 = add i32 %segbase3.5, %ea.3
  %t.9 = call i64 %read32.8(ptr %ctx, i32 %lin.6)
  %t.10 = icmp sge i64 %t.9, 0
  br i1 %t.10, label %ok.16, label %side.11, !prof !0
ok.16:
  %m.17 = trunc i64 %t.9 to i32
  %cmp.20 = sub i32 %m.17, %r0.19
  %t.21 = icmp slt i32 %m.17, %r0.19
  %setl.22 = zext i1 %t.21 to i8
  %t.25 = zext i8 %setl.22 to i32
  %t.26 = and i32 %r1.24, -256
  %t.27 = or i32 %t.26, %t.25
  %t.32 = shl i32 %r7.31, 2
  %t.33 = add i32 %r6.29, %t.32
  %lin.34 = add i32 %segbase3.5, %t.33
  %t.37 = call i32 %write32.36(ptr %ctx, i32 %lin.34, i32 %t.27)
  %t.38 = icmp ne i32 %t.37, 0
  br i1 %t.38, label %ok.48, label %side.39, !prof !0
ok.48:
  %lin.53 = add i32 %segbase2.52, %r4.50
  %t.54 = call i64 %read32.8(ptr %ctx, i32 %lin.53)
  %t.55 = icmp sge i64 %t.54, 0
  br i1 %t.55, label %ok.60, label %side.56, !prof !0
ok.60:
  %m.61 = trunc i64 %t.54 to i32
  %esp.62 = add i32 %r4.50, 4
  store i32 %t.27, ptr %p.23
  store i32 %esp.62, ptr %p.49
  store i32 28, ptr %p.40
  store i32 %m.17, ptr %p.41
  store i32 %r0.19, ptr %p.42
  store i32 %cmp.20, ptr %p.43
  store i32 %m.61, ptr %p.12
  %budget.63 = load i64, ptr %cp.44
  %budget.64 = sub i64 %budget.63, 4
  store i64 %budget.64, ptr %cp.44
  %t.69 = lshr i32 %m.61, 14
  %t.70 = xor i32 %m.61, %t.69
  %t.71 = and i32 %t.70, 16383
  %t.72 = zext i32 %t.71 to i64
  %t.73 = getelementptr i32, ptr %tags.66, i64 %t.72
  %t.74 = load i32, ptr %t.73
  %t.75 = icmp eq i32 %t.74, %m.61
  %t.76 = icmp sgt i64 %budget.64, 0
  %t.77 = and i1 %t.75, %t.76
  %t.80 = getelementptr i64, ptr %fns.68, i64 %t.72
  %t.81 = load ptr, ptr %t.80
  %t.83 = load i64, ptr %cp.82
  %t.84 = zext i1 %t.77 to i64
  %t.85 = add i64 %t.83, %t.84
  store i64 %t.85, ptr %cp.82
  br i1 %t.77, label %chain.78, label %back.79
chain.78:
  %t.86 = musttail call i32 %t.81(ptr %st, ptr %ctx)
  ret i32 %t.86
back.79:
  ret i32 0
side.11:
  store i32 4096, ptr %p.12
  %r.13 = call i32 %page_fault.15(ptr %st, ptr %ctx, i32 4096)
  ret i32 %r.13
side.39:
  store i32 %t.27, ptr %p.23
  store i32 28, ptr %p.40
  store i32 %m.17, ptr %p.41
  store i32 %r0.19, ptr %p.42
  store i32 %cmp.20, ptr %p.43
  store i32 4102, ptr %p.12
  %budget.45 = load i64, ptr %cp.44
  %budget.46 = sub i64 %budget.45, 2
  store i64 %budget.46, ptr %cp.44
  %r.47 = call i32 %page_fault.15(ptr %st, ptr %ctx, i32 4102)
  ret i32 %r.47
side.56:
  store i32 %t.27, ptr %p.23
  store i32 28, ptr %p.40
  store i32 %m.17, ptr %p.41
  store i32 %r0.19, ptr %p.42
  store i32 %cmp.20, ptr %p.43
  store i32 4105, ptr %p.12
  %budget.57 = load i64, ptr %cp.44
  %budget.58 = sub i64 %budget.57, 3
  store i64 %budget.58, ptr %cp.44
  %r.59 = call i32 %page_fault.15(ptr %st, ptr %ctx, i32 4105)
  ret i32 %r.59
}
